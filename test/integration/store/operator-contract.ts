import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AppError,
  type CartLine,
  holdsStock,
  type Order,
  type Product,
  type StockAdjustment,
} from "../../../src/domain/index.js";
import type { OrderKey, Page, Store } from "../../../src/services/index.js";
import { appErrorOf } from "../../helpers/errors.js";
import { orderFromCart } from "../../helpers/orders.js";

// The operators' half of the Store contract, for every adapter: products written by hand, the
// stock trail and its races with checkout, promotions and their limits under concurrency,
// cancellation, every user's orders, the figures.

const NOW = new Date("2026-05-01T12:00:00.000Z");
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

const VASE: Product = {
  id: "blue-vase",
  name: "Blue Vase",
  description: "Hand-thrown.",
  imageUrl: "/uploads/vase.png",
  priceCents: 2500,
  stock: 20,
};

let adjustments = 0;
let keys = 0;
const nextKey = (userId: string) => {
  keys += 1;
  return `key-${userId}-${keys}`;
};
const adjustment = (
  productId: string,
  delta: number,
  createdAt: Date = NOW,
): Omit<StockAdjustment, "stockAfter"> => {
  adjustments += 1;
  return {
    id: `adj-${String(adjustments).padStart(5, "0")}`,
    productId,
    delta,
    reason: delta > 0 ? "restock" : "damaged",
    actor: "Operator",
    createdAt: createdAt.toISOString(),
  };
};

export function describeOperatorContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store contract, the operators' side`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    const stockOf = async (id: string) =>
      (await store.listAllProducts()).find((p) => p.id === id)?.stock;

    const createVase = (stock = VASE.stock) =>
      store.createProduct({
        product: { ...VASE, stock },
        ...(stock === 0
          ? {}
          : {
              adjustment: {
                id: "adj-initial",
                productId: VASE.id,
                delta: stock,
                reason: "initial" as const,
                actor: "Operator",
                createdAt: at(-60).toISOString(),
                stockAfter: stock,
              },
            }),
      });

    /** Saves `lines` (with `code`) as the user's cart and checks it out at `when`. */
    const checkout = async (
      userId: string,
      lines: CartLine[],
      options: { code?: string; when?: Date; key?: string } = {},
    ) => {
      await store.saveCart({
        userId,
        lines,
        ...(options.code === undefined ? {} : { promotionCode: options.code }),
        updatedAt: NOW.toISOString(),
      });
      const command = await orderFromCart(
        store,
        userId,
        options.key ?? nextKey(userId),
        options.when ?? NOW,
      );
      return store.placeOrder(command);
    };

    const placedOrder = async (userId: string, lines: CartLine[], when?: Date) => {
      const result = await checkout(userId, lines, when === undefined ? {} : { when });
      return result.order;
    };

    describe("products", () => {
      it("createProduct adds a product to the catalogue, its initial stock the first entry of its trail", async () => {
        expect(await createVase()).toStrictEqual({ ...VASE, archived: false });

        expect(await store.getProduct(VASE.id)).toStrictEqual({
          ...VASE,
          comments: [],
          commentCount: 0,
          ratingTotal: 0,
        });
        expect((await store.listProducts()).map((p) => p.id)).toContain(VASE.id);
        expect(await store.getProducts([VASE.id])).toStrictEqual([VASE]);
        const all = await store.listAllProducts();
        expect(all).toHaveLength(11);
        expect(all[10]).toStrictEqual({ ...VASE, archived: false });
        const trail = await store.listStockAdjustments(VASE.id, { limit: 10 });
        expect(trail.items).toMatchObject([{ delta: 20, reason: "initial", stockAfter: 20 }]);
      });

      it("refuses an id in use with PRODUCT_EXISTS, writing nothing", async () => {
        const error = await appErrorOf(
          store.createProduct({ product: { ...VASE, id: "lonely-bird", name: "Impostor" } }),
        );
        expect(error.code).toBe("PRODUCT_EXISTS");
        expect((await store.getProduct("lonely-bird"))?.name).toBe("Lonely Bird");
        expect(await store.listAllProducts()).toHaveLength(10);
      });

      it("updateProduct changes the fields given and no others; NOT_FOUND for an unknown id", async () => {
        await createVase();
        const updated = await store.updateProduct({ id: VASE.id, priceCents: 2700, name: "Vase" });
        expect(updated).toStrictEqual({ ...VASE, priceCents: 2700, name: "Vase", archived: false });
        expect(await store.updateProduct({ id: VASE.id })).toStrictEqual(updated);
        expect((await appErrorOf(store.updateProduct({ id: "nope", name: "x" }))).code).toBe(
          "NOT_FOUND",
        );
      });

      it("a new price refuses a checkout priced before it with CART_CHANGED", async () => {
        await store.saveCart({
          userId: "ada",
          lines: [{ productId: "lonely-bird", quantity: 1 }],
          updatedAt: NOW.toISOString(),
        });
        const command = await orderFromCart(store, "ada", "k", NOW);
        await store.updateProduct({ id: "lonely-bird", priceCents: 3499 });

        const error = await appErrorOf(store.placeOrder(command));
        expect(error.code).toBe("CART_CHANGED");
        expect(await store.listOrders("ada")).toStrictEqual([]);
      });

      it("archiveProduct takes it out of the catalogue, carts and checkout; its orders keep it", async () => {
        const order = await placedOrder("ada", [{ productId: "morning-fog", quantity: 1 }]);
        await store.saveCart({
          userId: "bob",
          lines: [{ productId: "morning-fog", quantity: 1 }],
          updatedAt: NOW.toISOString(),
        });
        const priced = await orderFromCart(store, "bob", "k", NOW);

        const archived = await store.archiveProduct("morning-fog");

        expect(archived.archived).toBe(true);
        expect(await store.getProduct("morning-fog")).toBeUndefined();
        expect(await store.getProducts(["morning-fog"])).toStrictEqual([]);
        expect((await store.listProducts()).map((p) => p.id)).not.toContain("morning-fog");
        expect((await store.listAllProducts()).find((p) => p.id === "morning-fog")).toMatchObject({
          archived: true,
        });
        expect((await appErrorOf(store.placeOrder(priced))).code).toBe("CART_CHANGED");
        expect(await store.getOrder("ada", order.id)).toStrictEqual(order);
        expect((await store.archiveProduct("morning-fog")).archived).toBe(true);
        expect((await appErrorOf(store.archiveProduct("nope"))).code).toBe("NOT_FOUND");
      });
    });

    describe("stock adjustments", () => {
      it("moves the stock and records the adjustment with the stock after it, newest first", async () => {
        await createVase();
        const first = await store.adjustStock(adjustment(VASE.id, 5, at(1)));
        const second = await store.adjustStock({
          ...adjustment(VASE.id, -3, at(2)),
          note: "dropped",
        });

        expect(first.stockAfter).toBe(25);
        expect(second).toMatchObject({ delta: -3, stockAfter: 22, note: "dropped" });
        expect(await stockOf(VASE.id)).toBe(22);
        const trail = await store.listStockAdjustments(VASE.id, { limit: 10 });
        expect(trail.items.map((a) => a.stockAfter)).toEqual([22, 25, 20]);
        expect(trail.items[0]).toStrictEqual(second);
        expect(trail.next).toBeUndefined();
      });

      it("refuses to go below zero with STOCK_NEGATIVE, and an unknown product with NOT_FOUND, writing nothing", async () => {
        await createVase(2);
        const error = await appErrorOf(store.adjustStock(adjustment(VASE.id, -3)));
        expect(error).toMatchObject({ code: "STOCK_NEGATIVE", fields: [{ field: "delta" }] });
        expect(await stockOf(VASE.id)).toBe(2);
        expect((await store.listStockAdjustments(VASE.id, { limit: 10 })).items).toHaveLength(1);
        expect((await appErrorOf(store.adjustStock(adjustment("nope", 1)))).code).toBe("NOT_FOUND");
      });

      it("pages the trail newest first from the key of the page before, or any time and id", async () => {
        await createVase(0);
        for (let minute = 1; minute <= 5; minute++) {
          await store.adjustStock(adjustment(VASE.id, minute, at(minute)));
        }
        const pages = await everyPage((after) =>
          store.listStockAdjustments(VASE.id, { limit: 2, after }),
        );
        expect(pages.map((page) => page.map((a) => a.delta))).toEqual([[5, 4], [3, 2], [1]]);
        // A position no adjustment holds (between minutes 3 and 4) pages from there on.
        const between = { createdAt: new Date(at(3).getTime() + 1).toISOString(), id: "x" };
        const rest = await store.listStockAdjustments(VASE.id, { limit: 10, after: between });
        expect(rest.items.map((a) => a.delta)).toEqual([3, 2, 1]);
        expect(rest.next).toBeUndefined();
      });

      it("races with 30 checkouts and a cancel: stock + units in live orders = received - written off", async () => {
        await createVase(20);
        const users = Array.from({ length: 30 }, (_, i) => `racer-${i}`);
        for (const userId of users) {
          await store.saveCart({
            userId,
            lines: [{ productId: VASE.id, quantity: 1 }],
            updatedAt: NOW.toISOString(),
          });
        }
        const commands = await Promise.all(
          users.map((userId) => orderFromCart(store, userId, "race", NOW)),
        );
        const moves = [3, -1, 4, -2, 5, -1, 2, -1];

        const [checkouts, adjusted] = await Promise.all([
          Promise.allSettled(commands.map((command) => store.placeOrder(command))),
          Promise.allSettled(
            moves.map((delta, i) => store.adjustStock(adjustment(VASE.id, delta, at(i + 1)))),
          ),
        ]);
        const placed = checkouts.flatMap((r) => (r.status === "fulfilled" ? [r.value.order] : []));
        const first = placed[0];
        if (first !== undefined) {
          await store.changeOrderStatus({
            userId: first.userId,
            orderId: first.id,
            from: "PLACED",
            to: "CANCELLED",
          });
        }

        for (const result of [...checkouts, ...adjusted]) {
          if (result.status === "rejected") {
            expect(result.reason).toBeInstanceOf(AppError);
            expect(["OUT_OF_STOCK", "STOCK_NEGATIVE"]).toContain((result.reason as AppError).code);
          }
        }
        const trail = await allAdjustments(store, VASE.id);
        const received = trail.filter((a) => a.delta > 0).reduce((sum, a) => sum + a.delta, 0);
        const writtenOff = trail.filter((a) => a.delta < 0).reduce((sum, a) => sum - a.delta, 0);
        const orders = (await Promise.all(users.map((u) => store.listOrders(u)))).flat();
        const inLiveOrders = unitsOf(
          orders.filter((o) => holdsStock(o.status)),
          VASE.id,
        );
        const stock = (await stockOf(VASE.id)) ?? Number.NaN;
        expect(stock).toBeGreaterThanOrEqual(0);
        expect(stock + inLiveOrders).toBe(received - writtenOff);
        expect(placed.length).toBeGreaterThan(0);
      }, 60_000);
    });

    describe("promotions", () => {
      it("creates, lists with uses, replaces keeping the uses, and refuses a taken code", async () => {
        const created = await store.createPromotion({
          code: "SPRING20",
          percentOff: 20,
          maxUses: 5,
        });
        expect(created).toStrictEqual({ code: "SPRING20", percentOff: 20, maxUses: 5, uses: 0 });
        await checkout("ada", [{ productId: "lonely-bird", quantity: 1 }], { code: "SPRING20" });

        const updated = await store.updatePromotion({
          code: "SPRING20",
          percentOff: 25,
          expiresAt: "2099-01-01T00:00:00.000Z",
        });
        expect(updated).toStrictEqual({
          code: "SPRING20",
          percentOff: 25,
          expiresAt: "2099-01-01T00:00:00.000Z",
          uses: 1,
        });
        const listed = await store.listPromotions();
        expect(listed.map((p) => p.code)).toEqual(["SPRING20", "SPRING2020", "WELCOME10"]);
        expect(
          (await appErrorOf(store.createPromotion({ code: "WELCOME10", percentOff: 5 }))).code,
        ).toBe("PROMOTION_EXISTS");
        expect(
          (await appErrorOf(store.updatePromotion({ code: "NOPE", percentOff: 5 }))).code,
        ).toBe("NOT_FOUND");
      });

      it("a deactivated code is refused at checkout with INVALID_PROMOTION, writing nothing", async () => {
        await store.saveCart({
          userId: "ada",
          lines: [{ productId: "lonely-bird", quantity: 1 }],
          promotionCode: "WELCOME10",
          updatedAt: NOW.toISOString(),
        });
        const command = await orderFromCart(store, "ada", "k", NOW);
        await store.updatePromotion({ code: "WELCOME10", percentOff: 10, deactivated: true });

        expect((await appErrorOf(store.placeOrder(command))).code).toBe("INVALID_PROMOTION");
        expect(await store.listOrders("ada")).toStrictEqual([]);
        expect((await store.getPromotion("WELCOME10"))?.deactivated).toBe(true);
      });

      it("a limit of 1 under 50 concurrent checkouts gives exactly 1 use", async () => {
        await store.createPromotion({ code: "ONLYONE", percentOff: 50, maxUses: 1 });
        const users = Array.from({ length: 50 }, (_, i) => `shopper-${i}`);
        for (const userId of users) {
          await store.saveCart({
            userId,
            lines: [{ productId: "lonely-bird", quantity: 1 }],
            promotionCode: "ONLYONE",
            updatedAt: NOW.toISOString(),
          });
        }
        const commands = await Promise.all(
          users.map((userId) => orderFromCart(store, userId, "once", NOW)),
        );

        const results = await Promise.allSettled(commands.map((c) => store.placeOrder(c)));

        const placed = results.filter((r) => r.status === "fulfilled");
        expect(placed).toHaveLength(1);
        for (const result of results) {
          if (result.status === "rejected") {
            // A checkout that kept meeting the others may end as 503 (retry), never as a use.
            expect(["INVALID_PROMOTION", "STORE_UNAVAILABLE"]).toContain(
              (result.reason as AppError).code,
            );
          }
        }
        const refusedAsUsedUp = results.filter(
          (r) => r.status === "rejected" && (r.reason as AppError).code === "INVALID_PROMOTION",
        );
        expect(refusedAsUsedUp.length).toBeGreaterThan(0);
        const promotion = (await store.listPromotions()).find((p) => p.code === "ONLYONE");
        expect(promotion?.uses).toBe(1);
        const orders = (await Promise.all(users.map((u) => store.listOrders(u)))).flat();
        expect(orders).toHaveLength(1);
        expect(await store.getProduct("lonely-bird")).toMatchObject({ stock: 24 });
      }, 60_000);

      it("a per-customer limit refuses the same customer's second order, not another's", async () => {
        await store.createPromotion({ code: "ONCEEACH", percentOff: 10, maxUsesPerCustomer: 1 });
        const line = [{ productId: "copper-kettle", quantity: 1 }];
        await checkout("ada", line, { code: "ONCEEACH", key: "first" });

        const again = await appErrorOf(checkout("ada", line, { code: "ONCEEACH", key: "second" }));
        expect(again).toMatchObject({
          code: "INVALID_PROMOTION",
          fields: [{ field: "promotionCode", message: "already used" }],
        });
        expect((await checkout("bob", line, { code: "ONCEEACH" })).placed).toBe(true);
        expect((await store.listPromotions()).find((p) => p.code === "ONCEEACH")?.uses).toBe(2);
      });
    });

    describe("cancellation", () => {
      it("PLACED -> CANCELLED gives the stock back once; a second cancel changes nothing", async () => {
        const order = await placedOrder("ada", [{ productId: "wool-throw", quantity: 3 }]);
        expect(await stockOf("wool-throw")).toBe(7);
        const change = {
          userId: "ada",
          orderId: order.id,
          from: "PLACED" as const,
          to: "CANCELLED" as const,
        };

        expect((await store.changeOrderStatus(change))?.status).toBe("CANCELLED");
        expect(await store.changeOrderStatus(change)).toBeUndefined();
        expect(await stockOf("wool-throw")).toBe(10);
        expect((await store.getOrder("ada", order.id))?.status).toBe("CANCELLED");
        const error = await appErrorOf(
          store.changeOrderStatus({ ...change, from: "CANCELLED", to: "PROCESSING" }),
        );
        expect(error.code).toBe("ILLEGAL_TRANSITION");
      });

      it("a cancel racing completion: exactly one wins, and the stock is back only if the cancel won", async () => {
        for (let round = 0; round < 5; round++) {
          const order = await placedOrder(`racer-${round}`, [
            { productId: "brass-desk-lamp", quantity: 1 },
          ]);
          const ref = { userId: order.userId, orderId: order.id };
          await store.changeOrderStatus({ ...ref, from: "PLACED", to: "PROCESSING" });
          const before = (await stockOf("brass-desk-lamp")) ?? 0;

          const [completed, cancelled] = await Promise.all([
            store.changeOrderStatus({ ...ref, from: "PROCESSING", to: "COMPLETED" }),
            store.changeOrderStatus({ ...ref, from: "PROCESSING", to: "CANCELLED" }),
          ]);

          expect([completed, cancelled].filter((o) => o !== undefined)).toHaveLength(1);
          const now = await store.getOrder(ref.userId, ref.orderId);
          expect(now?.status).toBe(completed === undefined ? "CANCELLED" : "COMPLETED");
          expect(await stockOf("brass-desk-lamp")).toBe(
            completed === undefined ? before + 1 : before,
          );
        }
      });
    });

    describe("every user's orders", () => {
      it("lists newest first across users, by status, in pages; finds any order by id", async () => {
        const orders: Order[] = [];
        for (let i = 0; i < 5; i++) {
          orders.push(
            await placedOrder(
              `user-${i % 2}`,
              [{ productId: "linen-notebook", quantity: 1 }],
              at(i),
            ),
          );
        }
        const cancelled = orders[1] as Order;
        await store.changeOrderStatus({
          userId: cancelled.userId,
          orderId: cancelled.id,
          from: "PLACED",
          to: "CANCELLED",
        });
        const newestFirst = [...orders].reverse().map((o) => o.id);

        const pages = await everyPage((after) => store.listAllOrders({ limit: 2, after }));
        expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
        expect(pages.flat().map((o) => o.id)).toEqual(newestFirst);

        const placedOnly = await store.listAllOrders({ limit: 10, status: "PLACED" });
        expect(placedOnly.items.map((o) => o.id)).toEqual(
          newestFirst.filter((id) => id !== cancelled.id),
        );
        expect(placedOnly.next).toBeUndefined();
        // Paged one by one, the filtered list skips the cancelled order and ends where it should.
        const placedPages = await everyPage((after) =>
          store.listAllOrders({ limit: 1, after, status: "PLACED" }),
        );
        expect(placedPages.flat().map((o) => o.id)).toEqual(placedOnly.items.map((o) => o.id));
        const cancelledOnly = await store.listAllOrders({ limit: 10, status: "CANCELLED" });
        expect(cancelledOnly.items.map((o) => o.id)).toEqual([cancelled.id]);

        expect(await store.findOrder(orders[3]?.id ?? "")).toStrictEqual(orders[3]);
        expect(await store.findOrder("no-such-order")).toBeUndefined();
      });
    });

    describe("figures", () => {
      it("counts units in carts now and units sold in the last 24 hours and 7 days by live orders", async () => {
        const figuresAt = at(0);
        await placedOrder(
          "old",
          [{ productId: "terracotta-planter", quantity: 4 }],
          at(-8 * 24 * 60),
        );
        await placedOrder(
          "week",
          [{ productId: "terracotta-planter", quantity: 2 }],
          at(-3 * 24 * 60),
        );
        const today = await placedOrder(
          "day",
          [{ productId: "terracotta-planter", quantity: 1 }],
          at(-60),
        );
        const gone = await placedOrder(
          "gone",
          [{ productId: "terracotta-planter", quantity: 5 }],
          at(-30),
        );
        await store.changeOrderStatus({
          userId: "gone",
          orderId: gone.id,
          from: "PLACED",
          to: "CANCELLED",
        });
        await store.saveCart({
          userId: "browsing",
          lines: [
            { productId: "terracotta-planter", quantity: 3 },
            { productId: "wool-throw", quantity: 1 },
          ],
          updatedAt: NOW.toISOString(),
        });
        await store.createGuestCart({
          tokenHash: "a".repeat(64),
          updatedAt: NOW.toISOString(),
          expiresAt: Math.floor(NOW.getTime() / 1000) + 3600,
        });
        await store.saveGuestCart({
          tokenHash: "a".repeat(64),
          lines: [{ productId: "terracotta-planter", quantity: 2 }],
          updatedAt: NOW.toISOString(),
          expiresAt: Math.floor(NOW.getTime() / 1000) + 3600,
        });

        const figures = await store.productFigures(figuresAt);

        expect(figures.find((f) => f.productId === "terracotta-planter")).toStrictEqual({
          productId: "terracotta-planter",
          unitsInCarts: 5,
          unitsSold24h: 1,
          unitsSold7d: 3,
        });
        expect(figures.find((f) => f.productId === "wool-throw")).toMatchObject({
          unitsInCarts: 1,
        });
        expect(figures).toHaveLength(10);
        expect(today.status).toBe("PLACED");
      });
    });
  });
}

/** Every page of a list, from the first to the one without a `next` (at most 100 pages). */
async function everyPage<Item>(
  read: (after: OrderKey | undefined) => Promise<Page<Item, OrderKey>>,
): Promise<Item[][]> {
  const pages: Item[][] = [];
  let after: OrderKey | undefined;
  do {
    const page = await read(after);
    pages.push(page.items);
    after = page.next;
  } while (after !== undefined && pages.length < 100);
  return pages;
}

async function allAdjustments(store: Store, productId: string): Promise<StockAdjustment[]> {
  const pages = await everyPage((after) =>
    store.listStockAdjustments(productId, { limit: 50, after }),
  );
  return pages.flat();
}

const unitsOf = (orders: readonly Order[], productId: string): number =>
  orders
    .flatMap((order) => order.lines)
    .filter((line) => line.productId === productId)
    .reduce((sum, line) => sum + line.quantity, 0);
