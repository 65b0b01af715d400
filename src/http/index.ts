// What the edges (compose/, functions/, local/, deploy/) and the tests use of the HTTP layer.

export { ADMIN_ROUTES } from "./admin-routes.js";
export type { CorsConfig } from "./cors.js";
export { isAllowedOrigin, withCors } from "./cors.js";
export { header } from "./headers.js";
export type { HttpErrorCode, ProblemCode } from "./http-error.js";
export { HttpError, payloadTooLarge, unparsableRequest } from "./http-error.js";
export type { PathMatch, PathMatcher } from "./path-match.js";
export { createPathMatcher } from "./path-match.js";
export type { Problem, ProblemLog } from "./problem.js";
export {
  PROBLEM_CONTENT_TYPE,
  problemResult,
  problemTypeOf,
  statusOf,
  titleOf,
} from "./problem.js";
export { NO_STORE } from "./response-headers.js";
export type { Route, StoreAccess } from "./route.js";
export { needsSignIn, routeKey } from "./route.js";
export { ROUTES } from "./route-table.js";
export type { ApiHandler } from "./router.js";
export { createRouter } from "./router.js";
export type { WebSocketEvent, WebSocketHandler, WebSocketResult } from "./websocket.js";
export { createWebSocketRouter, GUEST_ORDER_SUBPROTOCOL } from "./websocket.js";
