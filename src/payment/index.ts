export type { DemoPaymentOptions } from "./demo-payment.js";
export { createDemoPaymentProvider, DECLINED_REASON } from "./demo-payment.js";
