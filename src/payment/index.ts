// The Stripe adapter loads the `stripe` package, so it is not re-exported here: compose imports
// `./stripe-payment.js` by path, on demand, and only its types travel through this surface.
export type { DemoPaymentProvider, DemoRefund } from "./demo-payment.js";
export { createDemoPaymentProvider } from "./demo-payment.js";
export type { StripePaymentDeps, StripePaymentOptions } from "./stripe-payment.js";
