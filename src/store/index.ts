export type { MemoryStoreSeed } from "./memory-store.js";
export { MemoryStore } from "./memory-store.js";
export { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "./seed-catalogue.js";
export type { SqliteStoreOptions } from "./sqlite-store.js";
export { openSqliteStore, SqliteStore } from "./sqlite-store.js";
export type { PlaceOrderResult, SaveCartCommand, Store } from "./store.js";
