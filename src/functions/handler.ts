import { compose, loadConfig } from "../compose/index.js";
import { type ApiHandler, ROUTES, routeKey } from "../http/index.js";

/**
 * The Lambda handler of one deployed function: the composition of `compose/` with only the
 * routes that function serves. Every function of every architecture is this call with its own
 * route keys (`npm run build` writes one entry file per function), so each function's router
 * knows only its own routes and answers 404 for the rest.
 */
export async function createHandler(routeKeys: readonly string[]): Promise<ApiHandler> {
  const wanted = new Set(routeKeys);
  const routes = ROUTES.filter((route) => wanted.delete(routeKey(route)));
  if (wanted.size > 0) {
    throw new Error(`not in the route table: ${[...wanted].join(", ")}`);
  }
  const app = await compose(loadConfig(), { routes, opening: "deferred" });
  return app.handler;
}
