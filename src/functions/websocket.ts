import { compose, loadConfig } from "../compose/index.js";
import type { WebSocketHandler } from "../http/index.js";

/**
 * The Lambda handler of the WebSocket API's `$connect`, `$disconnect` and `$default` routes: the
 * same handler the dev server runs for its `/notifications` endpoint, composed once from the
 * environment.
 */
export async function createWebSocketHandler(): Promise<WebSocketHandler> {
  const app = await compose(loadConfig(), { routes: [], opening: "deferred" });
  return app.websocket;
}
