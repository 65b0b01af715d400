// The store adapters' public surface: the dependency-free memory store, the demo catalogue and
// the types of the heavy adapters. The SQLite and DynamoDB stores themselves are imported by path
// (`./sqlite/store.js`, `./dynamodb/store.js`) from compose/ only, on demand, so a bundle or a
// process that uses one never loads the other's driver. The Store port is in services/ports.ts.

export type { CatalogueSeed } from "./dynamodb/setup.js";
export type { DynamoDbStore, DynamoDbStoreOptions } from "./dynamodb/store.js";
export type { MemoryStoreSeed } from "./memory-store.js";
export { MemoryStore } from "./memory-store.js";
export { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "./seed-catalogue.js";
export type { SqliteStoreOptions } from "./sqlite/schema.js";
export type { SqliteStore } from "./sqlite/store.js";
