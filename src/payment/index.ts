export { createDemoPaymentProvider } from "./demo-payment.js";
