export type { DemoPaymentProvider, DemoRefund } from "./demo-payment.js";
export { createDemoPaymentProvider } from "./demo-payment.js";
