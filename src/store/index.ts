// The memory store and the demo catalogue: nothing here loads a driver. The SQLite and DynamoDB
// stores are imported by path (`./sqlite/store.js`, `./dynamodb/store.js`) from compose/ only, on
// demand, so a process or a bundle that uses one never loads the other's driver. The Store port
// is services/ports.ts.

export type { MemoryStoreSeed } from "./memory-store.js";
export { MemoryStore } from "./memory-store.js";
export { SEED_COMMENTS, SEED_PRODUCTS, SEED_PROMOTIONS } from "./seed-catalogue.js";
