import { MemoryStore } from "../../../src/store/index.js";
import { describeAddressesContract } from "./addresses-contract.js";
import { describeCheckoutContract } from "./checkout-contract.js";
import { describeCommentsContract } from "./comments-contract.js";
import { describeOperatorContract } from "./operator-contract.js";
import { describePagingContract } from "./paging-contract.js";
import { describeRecoveryContract } from "./recovery-contract.js";
import { describeShopConfigContract } from "./shop-config-contract.js";
import { describeStoreContract } from "./store-contract.js";

describeStoreContract("MemoryStore", async () => new MemoryStore());
describePagingContract("MemoryStore", async () => new MemoryStore());
describeAddressesContract("MemoryStore", async () => new MemoryStore());
describeCommentsContract("MemoryStore", async () => new MemoryStore());
describeOperatorContract("MemoryStore", async () => new MemoryStore());
describeRecoveryContract("MemoryStore", async () => new MemoryStore());
describeShopConfigContract("MemoryStore", async () => new MemoryStore());
describeCheckoutContract("MemoryStore", async () => new MemoryStore());
