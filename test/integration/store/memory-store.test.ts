import { MemoryStore } from "../../../src/store/index.js";
import { describeStoreContract } from "./store-contract.js";

describeStoreContract("MemoryStore", async () => new MemoryStore());
