import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { AppError } from "../../../src/domain/index.js";
import {
  type DynamoDbStore,
  type DynamoDbStoreOptions,
  openDynamoDbStore,
} from "../../../src/store/dynamodb/store.js";
import { UNSPREAD_LAYOUT } from "../../../src/store/dynamodb/table.js";
import {
  type FaultAnswer,
  localTables,
  startFaultProxy,
  uniqueTableName,
  useDynamoDbLocal,
} from "../../helpers/dynamodb-local.js";
import { appErrorOf } from "../../helpers/errors.js";
import { orderFromCart } from "../../helpers/orders.js";
import { describeAddressesContract } from "./addresses-contract.js";
import { describeCheckoutContract } from "./checkout-contract.js";
import { describeCommentsContract } from "./comments-contract.js";
import { describeFulfilmentContract } from "./fulfilment-contract.js";
import { describeOperatorContract } from "./operator-contract.js";
import { describePagingContract } from "./paging-contract.js";
import { describeRecoveryContract } from "./recovery-contract.js";
import { describeShopConfigContract } from "./shop-config-contract.js";
import { describeStoreContract } from "./store-contract.js";

const NOW = new Date("2026-05-01T12:00:00.000Z");
const ALICE = "user-alice";
const UNAVAILABLE = "the store is unavailable, retry shortly";
/** Words of AWS's and Node's error texts that must never reach a client. */
const INTERNALS = /dynamo|aws|econn|127\.0\.0\.1|table|transaction|throughput|throttl|timeout/i;

const local = useDynamoDbLocal();
const tables = localTables(local);
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await tables.drop();
});

/** A store on a new table of DynamoDB Local, created and seeded; the table is deleted after. */
function freshStore(options: Partial<DynamoDbStoreOptions> = {}): Promise<DynamoDbStore> {
  return tables.open(options);
}

/** A second store on `tableName`, reaching DynamoDB Local through `endpoint`; closed after. */
async function storeThrough(
  endpoint: string,
  tableName: string,
  options: Partial<DynamoDbStoreOptions> = {},
): Promise<DynamoDbStore> {
  const { region, credentials } = local();
  const store = await openDynamoDbStore({ tableName, endpoint, region, credentials, ...options });
  closers.push(() => store.close());
  return store;
}

function expectUnavailable(error: AppError): void {
  expect(error.code).toBe("STORE_UNAVAILABLE");
  expect(error.retryAfterSeconds).toBe(1);
  expect(error.message).toBe(UNAVAILABLE);
  expect(error.message).not.toMatch(INTERNALS);
  expect(error.fields).toBeUndefined();
  expect(error.cause).toBeInstanceOf(Error);
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const elapsedMs = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

describeStoreContract("DynamoDbStore", () => freshStore());
describePagingContract("DynamoDbStore", () => freshStore());
describeAddressesContract("DynamoDbStore", () => freshStore());
describeCommentsContract("DynamoDbStore", () => freshStore());
describeOperatorContract("DynamoDbStore", () => freshStore());
describeRecoveryContract("DynamoDbStore", () => freshStore());
describeShopConfigContract("DynamoDbStore", () => freshStore());
describeCheckoutContract("DynamoDbStore", () => freshStore());
describeFulfilmentContract("DynamoDbStore", () => freshStore());

// The contract again where the stock sits on 8 shards per product, and in the layout before the
// keys were spread (stock on the product's item, one key per list and per promotion counter):
// the layout is the adapter's business, never the contract's.
for (const [name, layout] of [
  ["stock on 8 shards", { stockShards: 8 }],
  ["the layout before spreading", UNSPREAD_LAYOUT],
] as const) {
  describeStoreContract(`DynamoDbStore, ${name}`, () => freshStore({ layout }));
  describeOperatorContract(`DynamoDbStore, ${name}`, () => freshStore({ layout }));
  describeCheckoutContract(`DynamoDbStore, ${name}`, () => freshStore({ layout }));
  describeFulfilmentContract(`DynamoDbStore, ${name}`, () => freshStore({ layout }));
}

describe("DynamoDbStore", () => {
  it("reopening a table with seeding keeps the saved settings", async () => {
    const tableName = uniqueTableName();
    const first = await freshStore({ tableName });
    const saved = await first.saveShippingSettings({
      zones: [{ id: "home", name: "Germany", countries: ["DE"] }],
      methods: [],
      expectedVersion: 1,
      updatedAt: NOW.toISOString(),
    });
    await first.close();
    const second = await freshStore({ tableName });
    expect((await second.getShopConfig()).shipping).toEqual(saved);
  });

  it("reopening a table keeps every write and does not seed the catalogue again", async () => {
    const tableName = uniqueTableName();
    const first = await freshStore({ tableName });
    await first.saveCart({
      userId: ALICE,
      lines: [{ productId: "copper-kettle", quantity: 2 }],
      updatedAt: NOW.toISOString(),
    });
    const { order } = await first.placeOrder(await orderFromCart(first, ALICE, "k", NOW));
    await first.close();

    const second = await freshStore({ tableName });
    try {
      expect(await second.listProducts()).toHaveLength(10);
      expect((await second.getProduct("copper-kettle"))?.stock).toBe(5);
      expect(await second.getOrder(ALICE, order.id)).toStrictEqual(order);
    } finally {
      await second.close();
    }
  });

  it("seeds a given catalogue, and lists it in the given order", async () => {
    const products = ["zeta", "alpha", "mid"].map((id, index) => ({
      id,
      name: id.toUpperCase(),
      description: `The ${id}.`,
      imageUrl: `/images/${id}.svg`,
      priceCents: 100 * (index + 1),
      stock: index,
    }));
    const store = await freshStore({ seed: { products, comments: [], promotions: [] } });
    try {
      expect(await store.listProducts()).toStrictEqual(
        products.map((product) => ({
          ...product,
          comments: [],
          commentCount: 0,
          ratingTotal: 0,
        })),
      );
      expect(await store.getPromotion("WELCOME10")).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  describe("when DynamoDB cannot be reached or is overloaded", () => {
    it("answers STORE_UNAVAILABLE within a second or two when nothing listens on the endpoint", async () => {
      const endpoint = `http://127.0.0.1:${await closedPort()}`;
      const store = await storeThrough(endpoint, "nowhere");

      const ms = await elapsedMs(async () => {
        for (const work of [
          () => store.getProduct("lonely-bird"),
          () => store.listProducts(),
          () => store.saveCart({ userId: ALICE, lines: [], updatedAt: NOW.toISOString() }),
          () =>
            store.placeOrder({
              cartVersion: 0,
              order: {
                id: "o-1",
                userId: ALICE,
                idempotencyKey: "k",
                status: "PLACED",
                createdAt: NOW.toISOString(),
                lines: [],
                discountPercentage: 0,
                subtotalCents: 0,
                discountCents: 0,
                totalCents: 0,
              },
            }),
        ]) {
          const error = await appErrorOf(work());
          expectUnavailable(error);
          expect(error.cause).toMatchObject({ code: "ECONNREFUSED" });
        }
      });
      expect(ms).toBeLessThan(8_000);

      const opening = await appErrorOf(
        openDynamoDbStore({
          tableName: "nowhere",
          endpoint,
          region: local().region,
          credentials: local().credentials,
          createTable: true,
          seed: true,
        }),
      );
      expectUnavailable(opening);
    });

    it("answers STORE_UNAVAILABLE after the request timeout when the endpoint never answers", async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => {
        sockets.add(socket);
      });
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      closers.push(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      });
      const address = silent.address();
      if (address === null || typeof address === "string") throw new Error("no port");
      const store = await storeThrough(`http://127.0.0.1:${address.port}`, "silent", {
        requestTimeoutMs: 200,
        maxAttempts: 2,
      });

      let error: AppError | undefined;
      const ms = await elapsedMs(async () => {
        error = await appErrorOf(store.getCart(ALICE));
      });

      if (error === undefined) throw new Error("no error");
      expectUnavailable(error);
      expect(error.cause).toMatchObject({ name: "TimeoutError" });
      expect(ms).toBeLessThan(3_000);
    });

    const overloads: [string, FaultAnswer][] = [
      ["throttled", { statusCode: 400, type: "ThrottlingException", message: "Rate exceeded" }],
      [
        "over its provisioned throughput",
        {
          statusCode: 400,
          type: "ProvisionedThroughputExceededException",
          message: "The level of configured provisioned throughput for the table was exceeded.",
        },
      ],
      [
        "over the account's request limit",
        { statusCode: 400, type: "RequestLimitExceeded", message: "Throughput exceeds the limit" },
      ],
      [
        "failing inside",
        { statusCode: 500, type: "InternalServerError", message: "Internal server error" },
      ],
      ["unavailable", { statusCode: 503, type: "ServiceUnavailable", message: "Unavailable" }],
    ];

    it.each(overloads)(
      "answers STORE_UNAVAILABLE, after the client's retries, when DynamoDB is %s",
      async (_, answer) => {
        const tableName = uniqueTableName();
        const healthy = await freshStore({ tableName });
        closers.push(() => healthy.close());
        await healthy.saveCart({
          userId: ALICE,
          lines: [{ productId: "lonely-bird", quantity: 1 }],
          updatedAt: NOW.toISOString(),
        });
        const proxy = await startFaultProxy(local().endpoint, (operation) =>
          operation === "GetItem" ? answer : undefined,
        );
        closers.push(() => proxy.close());
        const store = await storeThrough(proxy.endpoint, tableName);

        const error = await appErrorOf(store.getCart(ALICE));

        expectUnavailable(error);
        expect(error.cause).toMatchObject({ name: answer.type });
        expect(proxy.seen.get("GetItem")).toBe(3);
        // The rest of the store still answers: only the faulted operation failed.
        expect(await store.getProducts(["lonely-bird", "copper-kettle"])).toHaveLength(2);
      },
    );
  });

  describe("when other transactions hold the same items (TransactionConflict)", () => {
    /** A proxy that cancels the first `times` TransactWriteItems as DynamoDB does on conflict. */
    async function conflicting(tableName: string, times: number, code = "TransactionConflict") {
      let left = times;
      const proxy = await startFaultProxy(local().endpoint, (operation, body) => {
        if (operation !== "TransactWriteItems" || left <= 0) return undefined;
        left -= 1;
        const count = Array.isArray(body.TransactItems) ? body.TransactItems.length : 1;
        return {
          statusCode: 400,
          type: "TransactionCanceledException",
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${code}]`,
          fields: {
            CancellationReasons: Array.from({ length: count }, (_, index) =>
              index === 0
                ? { Code: code, Message: "Transaction is ongoing for the item" }
                : { Code: "None" },
            ),
          },
        };
      });
      closers.push(() => proxy.close());
      return { proxy, store: await storeThrough(proxy.endpoint, tableName) };
    }

    async function aliceWants(productId: string, quantity: number) {
      const tableName = uniqueTableName();
      const seeded = await freshStore({ tableName });
      await seeded.saveCart({
        userId: ALICE,
        lines: [{ productId, quantity }],
        updatedAt: NOW.toISOString(),
      });
      closers.push(() => seeded.close());
      return { seeded, tableName };
    }

    it("retries the checkout and places the order once the conflict clears", async () => {
      const { seeded, tableName } = await aliceWants("wool-throw", 2);
      const { proxy, store } = await conflicting(tableName, 3);
      const command = await orderFromCart(store, ALICE, "k", NOW);

      expect(await store.placeOrder(command)).toStrictEqual({ placed: true, order: command.order });

      expect(proxy.seen.get("TransactWriteItems")).toBe(4);
      expect((await seeded.getProduct("wool-throw"))?.stock).toBe(8);
      expect(await seeded.listOrders(ALICE)).toStrictEqual([command.order]);
    });

    it("still conflicting after its retries, a passing checkout is STORE_UNAVAILABLE, writing nothing", async () => {
      const { seeded, tableName } = await aliceWants("wool-throw", 2);
      const { proxy, store } = await conflicting(tableName, Number.POSITIVE_INFINITY);
      const command = await orderFromCart(store, ALICE, "k", NOW);
      const cart = await seeded.getCart(ALICE);

      expectUnavailable(await appErrorOf(store.placeOrder(command)));

      expect(proxy.seen.get("TransactWriteItems")).toBe(5);
      expect((await seeded.getProduct("wool-throw"))?.stock).toBe(10);
      expect(await seeded.getCart(ALICE)).toStrictEqual(cart);
      expect(await seeded.findOrderByIdempotencyKey(ALICE, "k")).toBeUndefined();
    });

    it("still conflicting after its retries, a checkout gets the refusal of the current state", async () => {
      const { seeded, tableName } = await aliceWants("brass-desk-lamp", 5);
      const command = await orderFromCart(seeded, ALICE, "k", NOW);
      // Somebody else buys one lamp first: five are no longer there.
      await seeded.saveCart({
        userId: "user-bob",
        lines: [{ productId: "brass-desk-lamp", quantity: 1 }],
        updatedAt: NOW.toISOString(),
      });
      await seeded.placeOrder(await orderFromCart(seeded, "user-bob", "b", NOW));
      const { store } = await conflicting(tableName, Number.POSITIVE_INFINITY);

      const error = await appErrorOf(store.placeOrder(command));

      expect(error).toMatchObject({
        code: "OUT_OF_STOCK",
        fields: [{ field: "products[0].id", message: "4 left" }],
      });
      expect(error.message).toContain("Brass Desk Lamp");
    });

    it("still conflicting after its retries, a reused key replays the first order", async () => {
      const { seeded, tableName } = await aliceWants("lonely-bird", 1);
      const { order } = await seeded.placeOrder(await orderFromCart(seeded, ALICE, "k", NOW));
      const { store } = await conflicting(tableName, Number.POSITIVE_INFINITY);

      const retry = await orderFromCart(store, ALICE, "k", NOW, { orderId: "another" });
      expect(await store.placeOrder(retry)).toStrictEqual({ placed: false, order });
    });

    it("answers STORE_UNAVAILABLE for a comment or a sign-up that keeps conflicting", async () => {
      const { tableName } = await aliceWants("lonely-bird", 1);
      const { store } = await conflicting(tableName, Number.POSITIVE_INFINITY);

      expectUnavailable(
        await appErrorOf(
          store.addComment({
            comment: {
              id: "c-1",
              productId: "lonely-bird",
              author: "Alice",
              rating: 5,
              text: "Busy day.",
              createdAt: NOW.toISOString(),
            },
            userId: ALICE,
          }),
        ),
      );
      expectUnavailable(
        await appErrorOf(
          store.createUser({
            id: ALICE,
            email: "alice@example.com",
            name: "Alice",
            passwordHash: "h",
            createdAt: NOW.toISOString(),
          }),
        ),
      );
    });

    it("answers STORE_UNAVAILABLE at once when a transaction item is throttled", async () => {
      const { tableName } = await aliceWants("lonely-bird", 1);
      const { proxy, store } = await conflicting(tableName, 1, "ThrottlingError");
      const command = await orderFromCart(store, ALICE, "k", NOW);

      expectUnavailable(await appErrorOf(store.placeOrder(command)));
      expect(proxy.seen.get("TransactWriteItems")).toBe(1);
    });
  });
});
