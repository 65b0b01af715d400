// The handler factories the tests drive directly; scripts/build.ts imports each entry module by
// path, so a function's bundle holds only its own.
export { createOrderStreamHandler, orderStreamHandler, placedOrderOf } from "./order-stream.js";
export { createSweepHandler, SWEEP, sweepHandler } from "./sweep-orders.js";
export { createWebSocketHandler } from "./websocket.js";
