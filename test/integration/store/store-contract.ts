import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AppError,
  CART_LIMITS,
  type CartLine,
  type Comment,
  type Connection,
  latestComments,
  type User,
} from "../../../src/domain/index.js";
import { createGuestCartService, guestCartTokenHash } from "../../../src/services/guest-carts.js";
import type { Store } from "../../../src/services/index.js";
import { SEED_COMMENTS, SEED_PRODUCTS } from "../../../src/store/index.js";
import { appErrorOf } from "../../helpers/errors.js";
import { orderFromCart } from "../../helpers/orders.js";
import { countStatusChanges, processorOver } from "../../helpers/processing.js";

const NOW = new Date("2026-05-01T12:00:00.000Z");
const ALICE = "user-alice";
const BOB = "user-bob";
const ALL_PRODUCT_IDS = SEED_PRODUCTS.map((product) => product.id);

const commentsOn = (productId: string): Comment[] =>
  SEED_COMMENTS.filter((comment) => comment.productId === productId);

const SEEDED_CATALOGUE = SEED_PRODUCTS.map((product) => ({
  ...product,
  comments: latestComments(commentsOn(product.id)),
  commentCount: commentsOn(product.id).length,
  ratingTotal: commentsOn(product.id).reduce((total, comment) => total + comment.rating, 0),
}));

const byId = <T extends { id: string }>(items: T[]): T[] =>
  [...items].sort((a, b) => a.id.localeCompare(b.id));

/**
 * The contract every Store adapter keeps, from the Store interface's doc comments and the memory
 * store's reference behaviour. `makeStore` must return a fresh, freshly seeded store each call.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store contract`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    const stockOf = async (productId: string): Promise<number | undefined> =>
      (await store.getProduct(productId))?.stock;

    const saveCart = (userId: string, lines: CartLine[], promotionCode?: string) =>
      store.saveCart({
        userId,
        lines,
        ...(promotionCode === undefined ? {} : { promotionCode }),
        updatedAt: NOW.toISOString(),
      });

    /** Saves `lines` as the user's cart and checks it out with `key` at `createdAt`. */
    const checkout = async (
      userId: string,
      key: string,
      createdAt: string,
      lines: CartLine[],
      orderId?: string,
    ) => {
      await saveCart(userId, lines);
      const command = await orderFromCart(
        store,
        userId,
        key,
        new Date(createdAt),
        orderId === undefined ? {} : { orderId },
      );
      return store.placeOrder(command);
    };

    /** Everything a failed checkout of `userId` must leave as it was. */
    const snapshot = async (userId: string) => ({
      products: await store.getProducts(ALL_PRODUCT_IDS),
      cart: await store.getCart(userId),
      orders: await store.listOrders(userId),
    });

    describe("catalogue", () => {
      it("lists the ten seeded products in seed order, each with its latest comments newest first", async () => {
        const products = await store.listProducts();

        expect(products).toHaveLength(10);
        expect(products).toStrictEqual(SEEDED_CATALOGUE);
        const lonelyBird = products.find((product) => product.id === "lonely-bird");
        expect(lonelyBird?.priceCents).toBe(2999);
        expect(lonelyBird?.comments.map((comment) => comment.id)).toEqual([
          "c-lonely-bird-2",
          "c-lonely-bird-1",
        ]);
        expect(lonelyBird?.comments[1]?.author).toBe("John Doe");
        expect(lonelyBird?.commentCount).toBe(2);
      });

      it("getProduct returns one product with its comments, undefined for an unknown id", async () => {
        expect(await store.getProduct("paper-crane-mobile")).toStrictEqual(
          SEEDED_CATALOGUE.find((product) => product.id === "paper-crane-mobile"),
        );
        expect(await store.getProduct("no-such-product")).toBeUndefined();
      });

      it("getProducts returns each known product once, without comments, and skips unknown ids", async () => {
        const found = await store.getProducts([
          "morning-fog",
          "no-such-product",
          "lonely-bird",
          "morning-fog",
        ]);

        expect(byId(found)).toStrictEqual(
          byId(SEED_PRODUCTS.filter((p) => p.id === "lonely-bird" || p.id === "morning-fog")),
        );
        expect(await store.getProducts([])).toStrictEqual([]);
        expect(await store.getProducts(["no-such-product"])).toStrictEqual([]);
      });

      it("hands out copies: changing a returned product changes nothing stored", async () => {
        const [first] = await store.listProducts();
        if (first === undefined) throw new Error("no products");
        first.stock = 0;
        first.comments.length = 0;
        const [fetched] = await store.getProducts([first.id]);
        if (fetched !== undefined) fetched.priceCents = 1;

        expect(await store.getProduct(first.id)).toStrictEqual(SEEDED_CATALOGUE[0]);
      });

      it("addComment stores the comment, counted and shown first by getProduct and listProducts", async () => {
        const comment: Comment = {
          id: "c-new",
          productId: "lonely-bird",
          author: "Alice",
          rating: 3,
          text: "Fine.",
          createdAt: NOW.toISOString(),
        };

        expect(await store.addComment({ comment, userId: ALICE })).toStrictEqual(comment);

        const ids = ["c-new", "c-lonely-bird-2", "c-lonely-bird-1"];
        const product = await store.getProduct("lonely-bird");
        expect(product?.comments.map((c) => c.id)).toEqual(ids);
        expect(product?.comments[0]).toStrictEqual(comment);
        expect(product?.commentCount).toBe(3);
        expect(product?.ratingTotal).toBe(3 + 5 + 4);
        const listed = await store.listProducts();
        expect(listed.find((p) => p.id === "lonely-bird")).toStrictEqual(product);
        expect(listed.find((p) => p.id === "solid-friendship")).toStrictEqual(
          SEEDED_CATALOGUE.find((p) => p.id === "solid-friendship"),
        );
      });

      it("addComment on an unknown product throws NOT_FOUND and stores nothing", async () => {
        const error = await appErrorOf(
          store.addComment({
            comment: {
              id: "c-orphan",
              productId: "no-such-product",
              author: "Alice",
              rating: 5,
              text: "?",
              createdAt: NOW.toISOString(),
            },
            userId: ALICE,
          }),
        );

        expect(error.code).toBe("NOT_FOUND");
        expect(await store.listProducts()).toStrictEqual(SEEDED_CATALOGUE);
      });
    });

    describe("carts", () => {
      it("getCart is undefined for a user who never saved one", async () => {
        expect(await store.getCart(ALICE)).toBeUndefined();
      });

      it("saveCart starts at version 1; each save replaces the lines and bumps the version", async () => {
        const first = await store.saveCart({
          userId: ALICE,
          lines: [{ productId: "lonely-bird", quantity: 2 }],
          promotionCode: "WELCOME10",
          updatedAt: "2026-05-01T10:00:00.000Z",
        });
        expect(first).toStrictEqual({
          userId: ALICE,
          lines: [{ productId: "lonely-bird", quantity: 2 }],
          promotionCode: "WELCOME10",
          version: 1,
          updatedAt: "2026-05-01T10:00:00.000Z",
        });

        const second = await store.saveCart({
          userId: ALICE,
          lines: [{ productId: "morning-fog", quantity: 1 }],
          updatedAt: "2026-05-01T10:05:00.000Z",
        });
        expect(second).toStrictEqual({
          userId: ALICE,
          lines: [{ productId: "morning-fog", quantity: 1 }],
          version: 2,
          updatedAt: "2026-05-01T10:05:00.000Z",
        });
        expect(second).not.toHaveProperty("promotionCode");
        expect(await store.getCart(ALICE)).toStrictEqual(second);
        expect(await store.getCart(BOB)).toBeUndefined();
      });

      it("hands out copies: changing a saved or returned cart changes nothing stored", async () => {
        const lines = [{ productId: "lonely-bird", quantity: 2 }];
        const saved = await saveCart(ALICE, lines);
        lines.push({ productId: "morning-fog", quantity: 1 });
        saved.lines.length = 0;
        const fetched = await store.getCart(ALICE);
        fetched?.lines.push({ productId: "wool-throw", quantity: 1 });

        expect((await store.getCart(ALICE))?.lines).toStrictEqual([
          { productId: "lonely-bird", quantity: 2 },
        ]);
      });
    });

    describe("promotions", () => {
      it("getPromotion returns a seeded code with unset dates absent, undefined when unknown", async () => {
        const welcome = await store.getPromotion("WELCOME10");
        expect(welcome).toStrictEqual({ code: "WELCOME10", percentOff: 10 });
        expect(welcome).not.toHaveProperty("validFrom");
        expect(welcome).not.toHaveProperty("expiresAt");
        expect(await store.getPromotion("SPRING2020")).toStrictEqual({
          code: "SPRING2020",
          percentOff: 25,
          expiresAt: "2020-06-21T00:00:00.000Z",
        });
        expect(await store.getPromotion("NO-SUCH-CODE")).toBeUndefined();
      });
    });

    describe("placeOrder", () => {
      it("takes the stock, empties the cart and records the order under its key", async () => {
        await saveCart(
          ALICE,
          [
            { productId: "lonely-bird", quantity: 2 },
            { productId: "morning-fog", quantity: 1 },
          ],
          "WELCOME10",
        );
        const command = await orderFromCart(store, ALICE, "key-1", NOW);
        expect(command).toMatchObject({ cartVersion: 1, order: { totalCents: 10548 - 1055 } });

        expect(await store.placeOrder(command)).toStrictEqual({
          placed: true,
          order: command.order,
        });

        expect(await stockOf("lonely-bird")).toBe(23);
        expect(await stockOf("morning-fog")).toBe(11);
        expect(await stockOf("copper-kettle")).toBe(7);
        const cart = await store.getCart(ALICE);
        expect(cart).toStrictEqual({
          userId: ALICE,
          lines: [],
          version: 2,
          updatedAt: command.order.createdAt,
        });
        expect(cart).not.toHaveProperty("promotionCode");
        expect(await store.getOrder(ALICE, command.order.id)).toStrictEqual(command.order);
        expect(await store.listOrders(ALICE)).toStrictEqual([command.order]);
        expect(await store.findOrderByIdempotencyKey(ALICE, "key-1")).toStrictEqual(command.order);
        expect(await store.findOrderByIdempotencyKey(ALICE, "key-2")).toBeUndefined();
        expect(await store.findOrderByIdempotencyKey(BOB, "key-1")).toBeUndefined();
      });

      it("stores an order without a promotion with no promotionCode at all", async () => {
        const { order } = await checkout(ALICE, "key-1", NOW.toISOString(), [
          { productId: "wool-throw", quantity: 1 },
        ]);

        const stored = await store.getOrder(ALICE, order.id);
        expect(stored).toStrictEqual(order);
        expect(stored).not.toHaveProperty("promotionCode");
        expect(stored).toMatchObject({ status: "PLACED", totalCents: 6900, discountCents: 0 });
      });

      it("replays a reused key with the first order, whatever the cart, taking no stock twice", async () => {
        const first = await checkout(
          ALICE,
          "key-1",
          NOW.toISOString(),
          [{ productId: "lonely-bird", quantity: 2 }],
          "order-1",
        );
        await saveCart(ALICE, [{ productId: "morning-fog", quantity: 3 }]);
        const before = await snapshot(ALICE);
        const retry = await orderFromCart(store, ALICE, "key-1", new Date("2026-05-01T12:01:00Z"), {
          orderId: "order-2",
        });

        expect(await store.placeOrder(retry)).toStrictEqual({ placed: false, order: first.order });
        expect(await store.placeOrder({ ...retry, cartVersion: 1 })).toStrictEqual({
          placed: false,
          order: first.order,
        });

        expect(await snapshot(ALICE)).toStrictEqual(before);
        expect(await stockOf("lonely-bird")).toBe(23);
        expect(await store.getOrder(ALICE, "order-2")).toBeUndefined();
      });

      it("counts a missing cart as version 0", async () => {
        await saveCart(ALICE, [{ productId: "lonely-bird", quantity: 1 }]);
        const { order } = await orderFromCart(store, ALICE, "key-1", NOW);
        const bobsOrder = { ...order, userId: BOB };

        const error = await appErrorOf(store.placeOrder({ order: bobsOrder, cartVersion: 1 }));
        expect(error.code).toBe("CART_CHANGED");
        expect(await store.placeOrder({ order: bobsOrder, cartVersion: 0 })).toStrictEqual({
          placed: true,
          order: bobsOrder,
        });
        expect(await stockOf("lonely-bird")).toBe(24);
      });

      it("refuses a cart saved since it was priced with CART_CHANGED and writes nothing", async () => {
        await saveCart(ALICE, [{ productId: "lonely-bird", quantity: 1 }]);
        const command = await orderFromCart(store, ALICE, "key-1", NOW);
        await saveCart(ALICE, [{ productId: "lonely-bird", quantity: 1 }]);
        const before = await snapshot(ALICE);

        const error = await appErrorOf(store.placeOrder(command));

        expect(error.code).toBe("CART_CHANGED");
        expect(await snapshot(ALICE)).toStrictEqual(before);
        expect(await store.findOrderByIdempotencyKey(ALICE, "key-1")).toBeUndefined();
      });

      it("refuses a line priced differently from the catalogue with CART_CHANGED naming it", async () => {
        await saveCart(ALICE, [
          { productId: "morning-fog", quantity: 1 },
          { productId: "lonely-bird", quantity: 1 },
        ]);
        const command = await orderFromCart(store, ALICE, "key-1", NOW);
        const stale = command.order.lines.map((line) =>
          line.productId === "lonely-bird" ? { ...line, unitPriceCents: 2499 } : line,
        );
        const before = await snapshot(ALICE);

        const error = await appErrorOf(
          store.placeOrder({ ...command, order: { ...command.order, lines: stale } }),
        );

        expect(error.code).toBe("CART_CHANGED");
        expect(error.message).toContain("lonely-bird");
        expect(await snapshot(ALICE)).toStrictEqual(before);
        expect(await store.findOrderByIdempotencyKey(ALICE, "key-1")).toBeUndefined();
      });

      it("refuses a line whose product no longer exists with CART_CHANGED", async () => {
        await saveCart(ALICE, [{ productId: "lonely-bird", quantity: 1 }]);
        const command = await orderFromCart(store, ALICE, "key-1", NOW);
        const ghost = {
          productId: "discontinued",
          name: "Discontinued",
          quantity: 1,
          unitPriceCents: 100,
          lineTotalCents: 100,
        };
        const before = await snapshot(ALICE);

        const error = await appErrorOf(
          store.placeOrder({
            ...command,
            order: { ...command.order, lines: [...command.order.lines, ghost] },
          }),
        );

        expect(error.code).toBe("CART_CHANGED");
        expect(await snapshot(ALICE)).toStrictEqual(before);
      });

      it("refuses too little stock with OUT_OF_STOCK naming the product and its line, writing nothing", async () => {
        await saveCart(ALICE, [
          { productId: "lonely-bird", quantity: 1 },
          { productId: "brass-desk-lamp", quantity: 6 },
        ]);
        const command = await orderFromCart(store, ALICE, "key-1", NOW);
        const before = await snapshot(ALICE);

        const error = await appErrorOf(store.placeOrder(command));

        expect(error.code).toBe("OUT_OF_STOCK");
        expect(error.fields).toStrictEqual([{ field: "products[1].id", message: "5 left" }]);
        expect(error.message).toContain("Brass Desk Lamp");
        expect(await snapshot(ALICE)).toStrictEqual(before);
        expect(await stockOf("lonely-bird")).toBe(25);
        expect(await store.findOrderByIdempotencyKey(ALICE, "key-1")).toBeUndefined();

        // The key was not used up: the same checkout succeeds once the cart fits the stock.
        const retried = await checkout(ALICE, "key-1", NOW.toISOString(), [
          { productId: "brass-desk-lamp", quantity: 5 },
        ]);
        expect(retried.placed).toBe(true);
        expect(await stockOf("brass-desk-lamp")).toBe(0);
      });
    });

    describe("orders", () => {
      it("getOrder is undefined for another user's order and for an unknown id", async () => {
        const { order } = await checkout(ALICE, "key-1", NOW.toISOString(), [
          { productId: "lonely-bird", quantity: 1 },
        ]);

        expect(await store.getOrder(ALICE, order.id)).toStrictEqual(order);
        expect(await store.getOrder(BOB, order.id)).toBeUndefined();
        expect(await store.getOrder(ALICE, "no-such-order")).toBeUndefined();
      });

      it("listOrders is newest first, ties by id descending, and only the user's own", async () => {
        const line = [{ productId: "linen-notebook", quantity: 1 }];
        await checkout(ALICE, "k3", "2026-05-03T00:00:00.000Z", line, "o-3");
        await checkout(ALICE, "k1", "2026-05-01T00:00:00.000Z", line, "o-1");
        await checkout(ALICE, "k2a", "2026-05-02T00:00:00.000Z", line, "o-2a");
        await checkout(ALICE, "k2b", "2026-05-02T00:00:00.000Z", line, "o-2b");
        await checkout(BOB, "k3", "2026-05-04T00:00:00.000Z", line, "o-bob");

        const ids = async (userId: string) => (await store.listOrders(userId)).map((o) => o.id);
        expect(await ids(ALICE)).toEqual(["o-3", "o-2b", "o-2a", "o-1"]);
        expect(await ids(BOB)).toEqual(["o-bob"]);
        expect(await ids("user-nobody")).toEqual([]);
        expect(await store.findOrderByIdempotencyKey(BOB, "k3")).toMatchObject({ id: "o-bob" });
        expect(await store.findOrderByIdempotencyKey(ALICE, "k3")).toMatchObject({ id: "o-3" });
      });
    });

    describe("users", () => {
      const alice: User = {
        id: ALICE,
        email: "alice@example.com",
        name: "Alice",
        passwordHash: "hash-a",
        createdAt: NOW.toISOString(),
      };

      it("createUser stores the user, found by id and by email", async () => {
        expect(await store.createUser(alice)).toStrictEqual(alice);
        expect(await store.getUser(ALICE)).toStrictEqual(alice);
        expect(await store.findUserByEmail("alice@example.com")).toStrictEqual(alice);
      });

      it("refuses a second account for the same email with EMAIL_TAKEN, storing nothing", async () => {
        await store.createUser(alice);

        const error = await appErrorOf(
          store.createUser({ ...alice, id: "user-alice-2", name: "Other Alice" }),
        );

        expect(error.code).toBe("EMAIL_TAKEN");
        expect(error.fields).toStrictEqual([{ field: "email", message: "already registered" }]);
        expect(await store.getUser("user-alice-2")).toBeUndefined();
        expect(await store.findUserByEmail("alice@example.com")).toStrictEqual(alice);
      });

      it("getUser and findUserByEmail are undefined for unknown users", async () => {
        await store.createUser(alice);

        expect(await store.getUser("user-nobody")).toBeUndefined();
        expect(await store.findUserByEmail("nobody@example.com")).toBeUndefined();
      });
    });

    describe("placeOrder, one product on two lines", () => {
      it("adds up a product listed on two lines: never takes stock below zero", async () => {
        await store.saveCart({
          userId: "alice",
          lines: [{ productId: "brass-desk-lamp", quantity: 3 }],
          updatedAt: NOW.toISOString(),
        });
        const command = await orderFromCart(store, "alice", "k", NOW);
        const twice = [...command.order.lines, ...command.order.lines];

        const error = await appErrorOf(
          store.placeOrder({ ...command, order: { ...command.order, lines: twice } }),
        );

        expect(error).toMatchObject({
          code: "OUT_OF_STOCK",
          fields: [{ field: "products[0].id", message: "5 left" }],
        });
        expect((await store.getProduct("brass-desk-lamp"))?.stock).toBe(5);
        expect(await store.listOrders("alice")).toStrictEqual([]);
      });
    });

    describe("concurrent checkouts", () => {
      it("50 shoppers racing for 10 wool throws: exactly 10 orders, stock 0, 40 OUT_OF_STOCK", async () => {
        expect(await stockOf("wool-throw")).toBe(10);
        const users = Array.from({ length: 50 }, (_, i) => `user-${i}`);
        await Promise.all(
          users.map((userId) => saveCart(userId, [{ productId: "wool-throw", quantity: 1 }])),
        );
        const commands = await Promise.all(
          users.map((userId) => orderFromCart(store, userId, "throw", NOW)),
        );

        const results = await Promise.allSettled(commands.map((c) => store.placeOrder(c)));

        const placed = results.flatMap((r) =>
          r.status === "fulfilled" && r.value.placed ? [r.value.order] : [],
        );
        const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
        expect(placed).toHaveLength(10);
        expect(refused).toHaveLength(40);
        for (const reason of refused) {
          expect(reason).toBeInstanceOf(AppError);
          expect(reason).toMatchObject({
            code: "OUT_OF_STOCK",
            fields: [{ field: "products[0].id", message: "0 left" }],
          });
          expect((reason as AppError).message).toContain("Wool Throw");
        }
        expect(await stockOf("wool-throw")).toBe(0);
        const orders = (await Promise.all(users.map((u) => store.listOrders(u)))).flat();
        expect(byId(orders)).toStrictEqual(byId(placed));
      });

      it("10 checkouts of one cart version with different keys: one order, 9 CART_CHANGED", async () => {
        await saveCart(ALICE, [{ productId: "lonely-bird", quantity: 1 }]);
        const commands = await Promise.all(
          Array.from({ length: 10 }, (_, i) => orderFromCart(store, ALICE, `key-${i}`, NOW)),
        );

        const results = await Promise.allSettled(commands.map((c) => store.placeOrder(c)));

        const placed = results.filter((r) => r.status === "fulfilled" && r.value.placed);
        const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
        expect(placed).toHaveLength(1);
        expect(refused).toHaveLength(9);
        for (const reason of refused) expect(reason).toMatchObject({ code: "CART_CHANGED" });
        expect(await store.listOrders(ALICE)).toHaveLength(1);
        expect(await stockOf("lonely-bird")).toBe(24);
      });

      it("10 checkouts with the same key: one order, the 9 others replay it", async () => {
        await saveCart(ALICE, [{ productId: "lonely-bird", quantity: 1 }]);
        const commands = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            orderFromCart(store, ALICE, "same-key", NOW, { orderId: `order-${i}` }),
          ),
        );

        const results = await Promise.all(commands.map((c) => store.placeOrder(c)));

        const placed = results.filter((r) => r.placed);
        expect(placed).toHaveLength(1);
        const first = placed[0]?.order;
        for (const result of results) expect(result.order).toStrictEqual(first);
        expect(await store.listOrders(ALICE)).toStrictEqual([first]);
        expect(await stockOf("lonely-bird")).toBe(24);
      });
    });

    describe("order status changes", () => {
      /** A placed order of ALICE: two lamps and a bird, stock 5 -> 3 and 25 -> 24. */
      const placed = async () =>
        (
          await checkout(ALICE, "key-1", NOW.toISOString(), [
            { productId: "brass-desk-lamp", quantity: 2 },
            { productId: "lonely-bird", quantity: 1 },
          ])
        ).order;
      const ref = (orderId: string) => ({ userId: ALICE, orderId });

      it("moves PLACED -> PROCESSING -> COMPLETED, answering the order, stock kept", async () => {
        const order = await placed();

        const processing = await store.changeOrderStatus({
          ...ref(order.id),
          from: "PLACED",
          to: "PROCESSING",
        });
        expect(processing).toStrictEqual({ ...order, status: "PROCESSING" });
        expect(await store.getOrder(ALICE, order.id)).toStrictEqual(processing);
        const completed = await store.changeOrderStatus({
          ...ref(order.id),
          from: "PROCESSING",
          to: "COMPLETED",
        });

        expect(completed).toStrictEqual({ ...order, status: "COMPLETED" });
        expect(await store.listOrders(ALICE)).toStrictEqual([completed]);
        expect(await stockOf("brass-desk-lamp")).toBe(3);
        expect(await stockOf("lonely-bird")).toBe(24);
      });

      it("PROCESSING -> FAILED records the reason and puts back the stock the order took", async () => {
        const order = await placed();
        await store.changeOrderStatus({ ...ref(order.id), from: "PLACED", to: "PROCESSING" });

        const failed = await store.changeOrderStatus({
          ...ref(order.id),
          from: "PROCESSING",
          to: "FAILED",
          failureReason: "card declined",
        });

        const expected = { ...order, status: "FAILED", failureReason: "card declined" };
        expect(failed).toStrictEqual(expected);
        expect(await store.getOrder(ALICE, order.id)).toStrictEqual(expected);
        expect(await store.findOrderByIdempotencyKey(ALICE, "key-1")).toStrictEqual(expected);
        expect(await stockOf("brass-desk-lamp")).toBe(5);
        expect(await stockOf("lonely-bird")).toBe(25);
        // Nothing leaves FAILED: the stock cannot come back twice.
        const again = await store.changeOrderStatus({
          ...ref(order.id),
          from: "PROCESSING",
          to: "FAILED",
          failureReason: "card declined",
        });
        expect(again).toBeUndefined();
        expect(await stockOf("brass-desk-lamp")).toBe(5);
      });

      it("answers undefined, writing nothing, unless the order is the user's and in `from`", async () => {
        const order = await placed();
        const before = await snapshot(ALICE);

        for (const change of [
          { ...ref(order.id), from: "PROCESSING" as const, to: "COMPLETED" as const },
          { userId: BOB, orderId: order.id, from: "PLACED" as const, to: "PROCESSING" as const },
          { ...ref("no-such-order"), from: "PLACED" as const, to: "PROCESSING" as const },
        ]) {
          expect(await store.changeOrderStatus(change)).toBeUndefined();
        }
        const fail = { ...ref(order.id), from: "PROCESSING" as const, to: "FAILED" as const };
        expect(await store.changeOrderStatus({ ...fail, failureReason: "x" })).toBeUndefined();

        expect(await snapshot(ALICE)).toStrictEqual(before);
      });

      it("refuses a step the lifecycle lacks with ILLEGAL_TRANSITION, writing nothing", async () => {
        const order = await placed();
        const before = await snapshot(ALICE);

        for (const change of [
          { from: "PLACED" as const, to: "COMPLETED" as const },
          { from: "PLACED" as const, to: "FAILED" as const, failureReason: "skipping" },
          { from: "PROCESSING" as const, to: "FAILED" as const },
          { from: "COMPLETED" as const, to: "PROCESSING" as const },
          { from: "FAILED" as const, to: "PLACED" as const },
        ]) {
          const error = await appErrorOf(store.changeOrderStatus({ ...ref(order.id), ...change }));
          expect(error.code).toBe("ILLEGAL_TRANSITION");
        }

        expect(await snapshot(ALICE)).toStrictEqual(before);
      });

      it("10 concurrent identical steps: exactly one wins; FAILED gives the stock back once", async () => {
        const order = await placed();
        const step = (to: "PROCESSING" | "FAILED") =>
          store.changeOrderStatus({
            ...ref(order.id),
            from: to === "PROCESSING" ? "PLACED" : "PROCESSING",
            to,
            ...(to === "FAILED" ? { failureReason: "declined" } : {}),
          });

        const toProcessing = await Promise.all(
          Array.from({ length: 10 }, () => step("PROCESSING")),
        );
        const toFailed = await Promise.all(Array.from({ length: 10 }, () => step("FAILED")));

        expect(toProcessing.filter((o) => o !== undefined)).toHaveLength(1);
        expect(toFailed.filter((o) => o !== undefined)).toHaveLength(1);
        expect(await stockOf("brass-desk-lamp")).toBe(5);
        expect(await stockOf("lonely-bird")).toBe(25);
        expect((await store.getOrder(ALICE, order.id))?.status).toBe("FAILED");
      });
    });

    describe("processOrder delivered more than once", () => {
      it("twice at once and once more after: one change and one notification per state", async () => {
        const { order } = await checkout(ALICE, "key-1", NOW.toISOString(), [
          { productId: "copper-kettle", quantity: 2 },
        ]);
        const counted = countStatusChanges(store);
        const { processor, notifier } = processorOver(counted.store);

        const results = await Promise.all([
          processor.processOrder({ userId: ALICE, orderId: order.id }),
          processor.processOrder({ userId: ALICE, orderId: order.id }),
        ]);
        const later = await processor.processOrder({ userId: ALICE, orderId: order.id });

        expect(results).toEqual(["COMPLETED", "COMPLETED"]);
        expect(later).toBe("COMPLETED");
        expect(counted.changes).toEqual(["PLACED->PROCESSING", "PROCESSING->COMPLETED"]);
        expect(notifier.statusesOf(order.id)).toEqual(["PROCESSING", "COMPLETED"]);
        expect(notifier.sent.every((s) => s.userId === ALICE)).toBe(true);
        expect(await store.getOrder(ALICE, order.id)).toStrictEqual({
          ...order,
          status: "COMPLETED",
        });
        expect(await stockOf("copper-kettle")).toBe(5);
      });

      it("a declined payment fails the order once, with its reason, and the stock back once", async () => {
        const { order } = await checkout(ALICE, "key-1", NOW.toISOString(), [
          { productId: "copper-kettle", quantity: 2 },
        ]);
        const counted = countStatusChanges(store);
        const { processor, notifier } = processorOver(counted.store, { mode: "decline" });

        await Promise.all(
          Array.from({ length: 3 }, () =>
            processor.processOrder({ userId: ALICE, orderId: order.id }),
          ),
        );
        await processor.processOrder({ userId: ALICE, orderId: order.id });

        expect(counted.changes).toEqual(["PLACED->PROCESSING", "PROCESSING->FAILED"]);
        expect(notifier.statusesOf(order.id)).toEqual(["PROCESSING", "FAILED"]);
        expect(notifier.sent[1]?.message).toStrictEqual({
          type: "order.updated",
          orderId: order.id,
          status: "FAILED",
          reason: expect.stringContaining("declined"),
        });
        expect(await store.getOrder(ALICE, order.id)).toMatchObject({
          status: "FAILED",
          failureReason: expect.stringContaining("declined"),
        });
        expect(await stockOf("copper-kettle")).toBe(7);
      });

      it("resumes an order left PROCESSING by a crash: pays, completes, notifies COMPLETED only", async () => {
        const { order } = await checkout(ALICE, "key-1", NOW.toISOString(), [
          { productId: "copper-kettle", quantity: 1 },
        ]);
        await store.changeOrderStatus({
          userId: ALICE,
          orderId: order.id,
          from: "PLACED",
          to: "PROCESSING",
        });
        const { processor, notifier } = processorOver(store);

        expect(await processor.processOrder({ userId: ALICE, orderId: order.id })).toBe(
          "COMPLETED",
        );
        expect(notifier.statusesOf(order.id)).toEqual(["COMPLETED"]);
        expect(await processor.processOrder({ userId: BOB, orderId: order.id })).toBeUndefined();
      });
    });

    describe("connections", () => {
      const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
      const connection = (
        id: string,
        userId: string,
        expiresAt = NOW_SECONDS + 60,
      ): Connection => ({
        id,
        userId,
        connectedAt: NOW.toISOString(),
        expiresAt,
      });
      const idsOf = async (userId: string, nowSeconds = NOW_SECONDS) =>
        (await store.listConnections(userId, nowSeconds)).map((c) => c.id).sort();

      it("lists a user's live connections only, and forgets a deleted one", async () => {
        await store.saveConnection(connection("conn-a1", ALICE));
        await store.saveConnection(connection("conn-a2", ALICE, NOW_SECONDS + 7200));
        await store.saveConnection(connection("conn-b1", BOB));

        expect(await store.listConnections(BOB, NOW_SECONDS)).toStrictEqual([
          connection("conn-b1", BOB),
        ]);
        expect(await idsOf(ALICE)).toEqual(["conn-a1", "conn-a2"]);
        await store.deleteConnection("conn-a1");
        expect(await idsOf(ALICE)).toEqual(["conn-a2"]);
        expect(await idsOf(BOB)).toEqual(["conn-b1"]);
        expect(await idsOf("user-nobody")).toEqual([]);
      });

      it("ignores a connection from its expiresAt on, before any TTL deletes it", async () => {
        await store.saveConnection(connection("conn-a1", ALICE, NOW_SECONDS + 60));

        expect(await idsOf(ALICE, NOW_SECONDS + 59)).toEqual(["conn-a1"]);
        expect(await idsOf(ALICE, NOW_SECONDS + 60)).toEqual([]);
      });

      it("deleting an unknown connection, or one twice, does nothing", async () => {
        await store.saveConnection(connection("conn-a1", ALICE));

        await store.deleteConnection("conn-unknown");
        await store.deleteConnection("conn-a1");
        await store.deleteConnection("conn-a1");

        expect(await idsOf(ALICE)).toEqual([]);
      });

      it("saving a connection again replaces it", async () => {
        await store.saveConnection(connection("conn-a1", ALICE, NOW_SECONDS + 60));
        await store.saveConnection(connection("conn-a1", ALICE, NOW_SECONDS + 600));

        expect(await store.listConnections(ALICE, NOW_SECONDS + 300)).toStrictEqual([
          connection("conn-a1", ALICE, NOW_SECONDS + 600),
        ]);
      });
    });

    describe("guest carts", () => {
      const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
      const WEEK = 7 * 24 * 60 * 60;
      const HASH = "a".repeat(64);
      const OTHER_HASH = "b".repeat(64);
      const line = (productId: string, quantity = 1): CartLine => ({ productId, quantity });

      const createGuest = (tokenHash = HASH, expiresAt = NOW_SECONDS + WEEK) =>
        store.createGuestCart({ tokenHash, updatedAt: NOW.toISOString(), expiresAt });

      const saveGuest = (
        lines: CartLine[],
        options: { promotionCode?: string; at?: Date; tokenHash?: string } = {},
      ) => {
        const at = options.at ?? NOW;
        return store.saveGuestCart({
          tokenHash: options.tokenHash ?? HASH,
          lines,
          ...(options.promotionCode === undefined ? {} : { promotionCode: options.promotionCode }),
          updatedAt: at.toISOString(),
          expiresAt: Math.floor(at.getTime() / 1000) + WEEK,
        });
      };

      const merge = (
        userId: string,
        versions: { user: number; guest: number },
        lines: CartLine[],
        promotionCode?: string,
      ) =>
        store.mergeGuestCart({
          userId,
          tokenHash: HASH,
          userCartVersion: versions.user,
          guestCartVersion: versions.guest,
          lines,
          ...(promotionCode === undefined ? {} : { promotionCode }),
          updatedAt: NOW.toISOString(),
        });

      /** The guest-cart service over this store, at NOW, and a token it can use. */
      const serviceWithCart = async (lines: CartLine[], promotionCode?: string) => {
        const service = createGuestCartService({ store, clock: { now: () => NOW } });
        const { token } = await service.createGuestCart();
        await store.saveGuestCart({
          tokenHash: guestCartTokenHash(token),
          lines,
          ...(promotionCode === undefined ? {} : { promotionCode }),
          updatedAt: NOW.toISOString(),
          expiresAt: NOW_SECONDS + WEEK,
        });
        return { service, token, tokenHash: guestCartTokenHash(token) };
      };
      const caller = (userId: string) => ({ userId, username: userId, groups: [] });

      it("createGuestCart stores an empty cart at version 1, read back by its hash only", async () => {
        const created = await createGuest();

        const expected = {
          tokenHash: HASH,
          lines: [],
          version: 1,
          updatedAt: NOW.toISOString(),
          expiresAt: NOW_SECONDS + WEEK,
        };
        expect(created).toStrictEqual(expected);
        expect(await store.getGuestCart(HASH, NOW_SECONDS)).toStrictEqual(expected);
        expect(await store.getGuestCart(OTHER_HASH, NOW_SECONDS)).toBeUndefined();
      });

      it("getGuestCart skips a cart from its expiresAt on, before any sweep or TTL", async () => {
        await createGuest(HASH, NOW_SECONDS + 60);

        expect((await store.getGuestCart(HASH, NOW_SECONDS + 59))?.version).toBe(1);
        expect(await store.getGuestCart(HASH, NOW_SECONDS + 60)).toBeUndefined();
      });

      it("saveGuestCart replaces lines and code, bumps the version and pushes back the expiry", async () => {
        await createGuest();
        const later = new Date(NOW.getTime() + 3600_000);

        const first = await saveGuest([line("lonely-bird", 2)], { promotionCode: "WELCOME10" });
        const second = await saveGuest([line("morning-fog", 1)], { at: later });

        expect(first).toStrictEqual({
          tokenHash: HASH,
          lines: [line("lonely-bird", 2)],
          promotionCode: "WELCOME10",
          version: 2,
          updatedAt: NOW.toISOString(),
          expiresAt: NOW_SECONDS + WEEK,
        });
        const expected = {
          tokenHash: HASH,
          lines: [line("morning-fog", 1)],
          version: 3,
          updatedAt: later.toISOString(),
          expiresAt: NOW_SECONDS + 3600 + WEEK,
        };
        expect(second).toStrictEqual(expected);
        expect(await store.getGuestCart(HASH, NOW_SECONDS + WEEK + 1)).toStrictEqual(expected);
      });

      it("saveGuestCart answers undefined for an unknown or expired cart and brings none back", async () => {
        await createGuest(HASH, NOW_SECONDS + 60);
        const expired = new Date(NOW.getTime() + 60_000);

        expect(await saveGuest([line("lonely-bird")], { tokenHash: OTHER_HASH })).toBeUndefined();
        expect(await saveGuest([line("lonely-bird")], { at: expired })).toBeUndefined();

        expect(await store.getGuestCart(OTHER_HASH, NOW_SECONDS)).toBeUndefined();
        expect((await store.getGuestCart(HASH, NOW_SECONDS))?.lines).toEqual([]);
      });

      it("hands out copies: changing a returned guest cart changes nothing stored", async () => {
        await createGuest();
        const saved = await saveGuest([line("lonely-bird", 2)]);
        saved?.lines.push(line("wool-throw"));
        const read = await store.getGuestCart(HASH, NOW_SECONDS);
        if (read?.lines[0] !== undefined) read.lines[0].quantity = 9;

        expect((await store.getGuestCart(HASH, NOW_SECONDS))?.lines).toEqual([
          line("lonely-bird", 2),
        ]);
      });

      it("mergeGuestCart replaces the user's cart, bumping its version, and deletes the guest cart", async () => {
        await saveCart(ALICE, [line("lonely-bird", 1)]);
        await createGuest();
        await saveGuest([line("morning-fog", 2)]);

        const merged = await merge(
          ALICE,
          { user: 1, guest: 2 },
          [line("lonely-bird", 1), line("morning-fog", 2)],
          "WELCOME10",
        );

        const expected = {
          userId: ALICE,
          lines: [line("lonely-bird", 1), line("morning-fog", 2)],
          promotionCode: "WELCOME10",
          version: 2,
          updatedAt: NOW.toISOString(),
        };
        expect(merged).toStrictEqual(expected);
        expect(await store.getCart(ALICE)).toStrictEqual(expected);
        expect(await store.getGuestCart(HASH, NOW_SECONDS)).toBeUndefined();
      });

      it("mergeGuestCart into a user without a cart (version 0) makes it at version 1", async () => {
        await createGuest();

        const merged = await merge(BOB, { user: 0, guest: 1 }, [line("wool-throw", 1)]);

        expect(merged).toStrictEqual({
          userId: BOB,
          lines: [line("wool-throw", 1)],
          version: 1,
          updatedAt: NOW.toISOString(),
        });
        expect(await store.getCart(BOB)).toStrictEqual(merged);
      });

      it("refuses a merge with CART_CHANGED, writing nothing, when either cart moved or is gone", async () => {
        const userCart = await saveCart(ALICE, [line("lonely-bird", 1)]);
        await createGuest();
        const guestCart = await saveGuest([line("morning-fog", 2)]);
        const lines = [line("lonely-bird", 1), line("morning-fog", 2)];

        for (const versions of [
          { user: 0, guest: 2 },
          { user: 2, guest: 2 },
          { user: 1, guest: 1 },
          { user: 1, guest: 3 },
        ]) {
          expect((await appErrorOf(merge(ALICE, versions, lines))).code).toBe("CART_CHANGED");
        }
        const unknown = store.mergeGuestCart({
          userId: ALICE,
          tokenHash: OTHER_HASH,
          userCartVersion: 1,
          guestCartVersion: 1,
          lines,
          updatedAt: NOW.toISOString(),
        });
        expect((await appErrorOf(unknown)).code).toBe("CART_CHANGED");
        const afterExpiry = store.mergeGuestCart({
          userId: ALICE,
          tokenHash: HASH,
          userCartVersion: 1,
          guestCartVersion: 2,
          lines,
          updatedAt: new Date((NOW_SECONDS + WEEK) * 1000).toISOString(),
        });
        expect((await appErrorOf(afterExpiry)).code).toBe("CART_CHANGED");

        expect(await store.getCart(ALICE)).toStrictEqual(userCart);
        expect(await store.getGuestCart(HASH, NOW_SECONDS)).toStrictEqual(guestCart);
      });

      it("a second merge of the same guest cart is refused and changes nothing", async () => {
        await createGuest();
        await merge(ALICE, { user: 0, guest: 1 }, [line("wool-throw", 1)]);

        const again = await appErrorOf(
          merge(ALICE, { user: 1, guest: 1 }, [line("wool-throw", 2)]),
        );

        expect(again.code).toBe("CART_CHANGED");
        expect((await store.getCart(ALICE))?.lines).toEqual([line("wool-throw", 1)]);
      });

      it("10 concurrent merges of one guest cart read at the same versions: exactly one wins", async () => {
        await saveCart(ALICE, [line("lonely-bird", 1)]);
        await createGuest();
        await saveGuest([line("lonely-bird", 2)]);

        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () =>
            merge(ALICE, { user: 1, guest: 2 }, [line("lonely-bird", 3)]),
          ),
        );

        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const result of results) {
          if (result.status === "rejected") {
            expect(result.reason).toBeInstanceOf(AppError);
            expect((result.reason as AppError).code).toBe("CART_CHANGED");
          }
        }
        expect(await store.getCart(ALICE)).toMatchObject({
          lines: [line("lonely-bird", 3)],
          version: 2,
        });
      });

      describe("merged by the guest-cart service", () => {
        it("adds quantities, caps a line at 99 and appends the guest's new products", async () => {
          await saveCart(ALICE, [line("lonely-bird", 60), line("morning-fog", 1)]);
          const { service, token, tokenHash } = await serviceWithCart([
            line("wool-throw", 2),
            line("lonely-bird", 50),
            line("morning-fog", 3),
          ]);

          const view = await service.mergeGuestCart(caller(ALICE), token);

          expect(view.products.map((p) => [p.id, p.quantity])).toEqual([
            ["lonely-bird", 99],
            ["morning-fog", 4],
            ["wool-throw", 2],
          ]);
          expect(view.version).toBe(2);
          // The seed has 25 Lonely Birds: the merged 99 are kept, and the shopper told.
          expect(view.notices).toEqual([
            "only 25 of Lonely Bird left: checkout takes at most 25",
            "quantity of lonely-bird capped at 99 when the carts merged",
          ]);
          expect(view.products.map((p) => p.available)).toEqual([25, 12, 10]);
          expect(await store.getGuestCart(tokenHash, NOW_SECONDS)).toBeUndefined();
        });

        it("drops the guest's lines past 50, in the guest cart's order, and says which", async () => {
          const userLines = Array.from({ length: CART_LIMITS.maxLines - 1 }, (_, i) =>
            line(`gone-${i + 1}`),
          );
          await saveCart(ALICE, userLines);
          const { service, token } = await serviceWithCart([
            line("lonely-bird"),
            line("morning-fog"),
            line("wool-throw"),
          ]);

          const view = await service.mergeGuestCart(caller(ALICE), token);

          const stored = await store.getCart(ALICE);
          expect(stored?.lines).toHaveLength(CART_LIMITS.maxLines);
          expect(stored?.lines.at(-1)).toEqual(line("lonely-bird"));
          expect(view.notices).toEqual(
            expect.arrayContaining([
              "product morning-fog left out: a cart holds at most 50 lines",
              "product wool-throw left out: a cart holds at most 50 lines",
            ]),
          );
        });

        it("keeps the user's promotion code over the guest's, else takes the guest's", async () => {
          await saveCart(ALICE, [line("lonely-bird")], "SPRING2020");
          const first = await serviceWithCart([line("morning-fog")], "WELCOME10");
          await first.service.mergeGuestCart(caller(ALICE), first.token);
          expect((await store.getCart(ALICE))?.promotionCode).toBe("SPRING2020");

          const second = await serviceWithCart([line("morning-fog")], "WELCOME10");
          const view = await second.service.mergeGuestCart(caller(BOB), second.token);
          expect((await store.getCart(BOB))?.promotionCode).toBe("WELCOME10");
          expect(view).toMatchObject({ promotionCode: "WELCOME10", discountPercentage: 10 });
        });

        it("a second merge, and another user's merge of the same token, change nothing", async () => {
          await saveCart(BOB, [line("copper-kettle", 1)]);
          const bobCart = await store.getCart(BOB);
          const { service, token } = await serviceWithCart([line("wool-throw", 2)]);

          const first = await service.mergeGuestCart(caller(ALICE), token);
          const again = await service.mergeGuestCart(caller(ALICE), token);
          const byBob = await service.mergeGuestCart(caller(BOB), token);

          expect(again).toStrictEqual({ ...first, notices: [] });
          expect(first.products.map((p) => [p.id, p.quantity])).toEqual([["wool-throw", 2]]);
          expect(await store.getCart(BOB)).toStrictEqual(bobCart);
          expect(byBob.products.map((p) => [p.id, p.quantity])).toEqual([["copper-kettle", 1]]);
          expect((await appErrorOf(service.getGuestCart(token))).code).toBe("NOT_FOUND");
        });

        it("10 concurrent merges of one guest cart add its lines once", async () => {
          await saveCart(ALICE, [line("lonely-bird", 1)]);
          const { service, token } = await serviceWithCart([line("lonely-bird", 2)]);

          const views = await Promise.all(
            Array.from({ length: 10 }, () => service.mergeGuestCart(caller(ALICE), token)),
          );

          for (const view of views) {
            expect(view.products.map((p) => [p.id, p.quantity])).toEqual([["lonely-bird", 3]]);
          }
          expect(await store.getCart(ALICE)).toMatchObject({
            lines: [line("lonely-bird", 3)],
            version: 2,
          });
        });
      });
    });

    describe("lifecycle", () => {
      it("close can be called more than once", async () => {
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
