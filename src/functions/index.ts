export { createHandler } from "./handler.js";
export type { OrderStreamHandler } from "./order-stream.js";
export { createOrderStreamHandler, orderStreamHandler, placedOrderOf } from "./order-stream.js";
export { createWebSocketHandler } from "./websocket.js";
