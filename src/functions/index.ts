// The handler factories the tests drive directly; scripts/build.ts imports each entry module by
// path, so a function's bundle holds only its own.
export type { MailDelivery } from "./order-stream.js";
export {
  createOrderStreamHandler,
  orderStreamHandler,
  outboxMessageIdOf,
  placedOrderOf,
} from "./order-stream.js";
export type { DueMailSender, DueMailSummary, SweepRunSummary } from "./sweep-orders.js";
export { createSweepHandler, MAIL_SWEEP, SWEEP, sweepHandler } from "./sweep-orders.js";
export { createWebSocketHandler } from "./websocket.js";
