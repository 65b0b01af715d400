import { MemoryStore } from "../../../src/store/index.js";
import { describePagingContract } from "./paging-contract.js";
import { describeStoreContract } from "./store-contract.js";

describeStoreContract("MemoryStore", async () => new MemoryStore());
describePagingContract("MemoryStore", async () => new MemoryStore());
