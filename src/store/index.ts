// The interface and the dependency-free adapters. The SQLite and DynamoDB adapters are imported
// from their own modules (`./sqlite-store.js`, `./dynamodb-store.js`) on demand, so a bundle or a
// process that uses one never loads the other's driver.
export type { DynamoDbStore, DynamoDbStoreOptions } from "./dynamodb-store.js";
export type { CatalogueSeed, TableDefinition } from "./dynamodb-table.js";
export type { MemoryStoreSeed } from "./memory-store.js";
export { MemoryStore } from "./memory-store.js";
export { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "./seed-catalogue.js";
export type {
  CreateGuestCartCommand,
  MergeGuestCartCommand,
  OrderStatusChange,
  PlaceOrderResult,
  SaveCartCommand,
  SaveGuestCartCommand,
  Store,
} from "./store.js";
