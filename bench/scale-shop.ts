// One run of `npm run bench -- scale`: a table of its own on DynamoDB Local, seeded straight
// (not through the simulator), the shop composed in this process over a store whose endpoint is
// the partition simulator, and API Gateway events sent to its handler as a client would.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, compose, loadConfig } from "../src/compose/index.js";
import type { Product, Promotion } from "../src/domain/index.js";
import type { DynamoDbLocal } from "../src/local/dynamodb-local.js";
import { DynamoDbClient } from "../src/store/dynamodb/client.js";
import { DynamoDbDocuments } from "../src/store/dynamodb/documents.js";
import { emailClaimItem, userItem } from "../src/store/dynamodb/items.js";
import { type DynamoDbStore, openDynamoDbStore } from "../src/store/dynamodb/store.js";
import type { TableLayout } from "../src/store/dynamodb/table.js";
import { type ApiEventOptions, apiEvent } from "../test/helpers/api-event.js";
import { createSigningKey, mintToken, type SigningKey } from "../test/helpers/tokens.js";
import { localShopEnv } from "./local-shop-env.js";
import { type PartitionSimulator, startPartitionSimulator } from "./partition-simulator.js";
import type { BudgetOptions } from "./scale-budget.js";

const ISSUER = "https://auth.scale.test";
const CLIENT_ID = "scale-bench";
/** How long the store's client waits for an answer (its default is 3 s). */
const REQUEST_TIMEOUT_MS = 15_000;
/** BatchWriteItem calls in flight at once while seeding users. */
const SEEDING_CONCURRENCY = 8;
const BATCH_WRITE_MAX_ITEMS = 25;

export interface ShopRunOptions {
  local: DynamoDbLocal;
  tableName: string;
  layout: TableLayout;
  products: readonly Product[];
  promotions?: readonly Promotion[];
  /** Ids of the users to register (a token's user must exist for the API to write for it). */
  userIds: readonly string[];
  budget: BudgetOptions;
}

/** What one request answered, and how long the handler took. */
export interface Answered {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads answer documents freely
  json: any;
  ms: number;
}

export interface ShopRun {
  app: App;
  simulator: PartitionSimulator;
  /** The same table straight on DynamoDB Local: what checks read, neither metered nor throttled. */
  direct: DynamoDbStore;
  /** An access token of `userId` (one of `userIds`). */
  tokenOf(userId: string): Promise<string>;
  /** Sends one API Gateway event to the shop's handler. */
  call(options: ApiEventOptions): Promise<Answered>;
  close(): Promise<void>;
}

let signingKey: Promise<SigningKey> | undefined;

/** Creates and seeds the table, starts the simulator in front of it, composes the shop. */
export async function openShopRun(options: ShopRunOptions): Promise<ShopRun> {
  const { local, tableName, layout } = options;
  const workDir = await mkdtemp(join(tmpdir(), "serverless-store-scale-"));
  const closing: (() => Promise<void>)[] = [() => rm(workDir, { recursive: true, force: true })];
  const close = async () => {
    for (const step of closing.reverse()) await step();
  };
  try {
    const direct = await openDynamoDbStore({
      tableName,
      endpoint: local.endpoint,
      region: local.region,
      credentials: local.credentials,
      createTable: true,
      seed: { products: options.products, comments: [], promotions: options.promotions ?? [] },
      layout,
    });
    closing.push(() => direct.close());
    await registerUsers(local, tableName, options.userIds);

    const simulator = await startPartitionSimulator({ target: local, ...options.budget });
    closing.push(() => simulator.close());
    const store = await openDynamoDbStore({
      tableName,
      endpoint: simulator.endpoint,
      region: local.region,
      credentials: local.credentials,
      layout,
      // This laptop's one DynamoDB Local serves every "instance" of the run, so a request may
      // wait for it far longer than for DynamoDB: a timeout would read as a throttle.
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      // The store's own refusals are the run's figures, not log lines.
      log: () => {},
    });
    closing.push(() => store.close());

    signingKey ??= createSigningKey();
    const key = await signingKey;
    const keyFile = join(workDir, "key.json");
    await writeFile(keyFile, JSON.stringify(key.privateJwk), { mode: 0o600 });
    const config = loadConfig({
      ...localShopEnv(
        local,
        { tableName, endpoint: simulator.endpoint },
        { issuer: ISSUER, clientId: CLIENT_ID, keyFile },
      ),
      DYNAMODB_LIST_SHARDS: String(layout.listShards),
      DYNAMODB_STOCK_SHARDS: String(layout.stockShards),
      DYNAMODB_PROMOTION_SHARDS: String(layout.promotionShards),
      PAYMENT_DELAY_MS: "0",
    });
    // The default order events: in AWS the table's stream feeds processing, which this run
    // leaves out (checkout's own writes are what it measures).
    const app = await compose(config, { store });
    closing.push(() => app.close());

    const tokens = new Map<string, Promise<string>>();
    return {
      app,
      simulator,
      direct,
      tokenOf: (userId) => {
        let token = tokens.get(userId);
        if (token === undefined) {
          token = mintToken(key, {
            issuer: ISSUER,
            clientId: CLIENT_ID,
            subject: userId,
            expiresInSeconds: 3_600,
          });
          tokens.set(userId, token);
        }
        return token;
      },
      call: async (eventOptions) => {
        const started = performance.now();
        const result = await app.handler(apiEvent(eventOptions), {
          awsRequestId: randomUUID(),
        } as Parameters<App["handler"]>[1]);
        const ms = performance.now() - started;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(result.headers ?? {})) {
          headers[name.toLowerCase()] = String(value);
        }
        return {
          status: result.statusCode,
          headers,
          json: result.body === "" ? undefined : JSON.parse(result.body),
          ms,
        };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Registers the users straight in the table, as `createUser` would (the user and the claim of
 * their e-mail address), in BatchWriteItem calls of 25 items, several at a time: thousands of
 * one-by-one transactions would take longer than the run.
 */
async function registerUsers(
  local: DynamoDbLocal,
  tableName: string,
  userIds: readonly string[],
): Promise<void> {
  const documents = new DynamoDbDocuments(
    new DynamoDbClient({
      endpoint: local.endpoint,
      region: local.region,
      credentials: local.credentials,
    }),
  );
  const createdAt = new Date().toISOString();
  const items = userIds.flatMap((id) => {
    const user = {
      id,
      email: `${id}@scale.example.com`,
      name: id,
      passwordHash: "not-a-password-hash",
      createdAt,
    };
    return [userItem(user), emailClaimItem(user)];
  });
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const start = next;
      next += BATCH_WRITE_MAX_ITEMS;
      let pending = items.slice(start, start + BATCH_WRITE_MAX_ITEMS).map((Item) => ({
        PutRequest: { Item },
      }));
      while (pending.length > 0) {
        const { UnprocessedItems } = await documents.batchWrite({
          RequestItems: { [tableName]: pending },
        });
        pending = (UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: SEEDING_CONCURRENCY }, worker));
  } finally {
    documents.client.destroy();
  }
}
