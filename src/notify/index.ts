// The notifiers compose/ builds directly: they load nothing heavy. The API Gateway notifier (the
// signed AWS transport) is imported by path, `./api-gateway-notifier.js`, on the first update.
export { createSkippingNotifier } from "./connection-notifier.js";
export { createLocalNotifier, LocalConnections } from "./local-notifier.js";
