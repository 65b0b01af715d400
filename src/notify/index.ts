// The notifier adapters. The API Gateway one is imported from its own module
// (`./api-gateway-notifier.js`) on demand, so only a function that posts loads its SDK client.
export type { ApiGatewayNotifierOptions } from "./api-gateway-notifier.js";
export type { PostOutcome, PostToConnection } from "./connection-notifier.js";
export { createConnectionNotifier, createSkippingNotifier } from "./connection-notifier.js";
export type { LocalSocket } from "./local-notifier.js";
export { createLocalNotifier, LocalConnections } from "./local-notifier.js";
