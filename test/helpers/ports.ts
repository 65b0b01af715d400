// Kept only for test/e2e/storefront.test.ts, which is being changed in another branch right now:
// point its import at ./free-port.js and delete this file once both are merged.
export { freePort } from "./free-port.js";
