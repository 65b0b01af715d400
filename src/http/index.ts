export type { CorsConfig } from "./cors.js";
export { isAllowedOrigin, withCors } from "./cors.js";
export { header } from "./headers.js";
export { buildOpenApi } from "./openapi.js";
export type { PathMatch, PathMatcher } from "./path-match.js";
export { createPathMatcher } from "./path-match.js";
export type { Problem, ProblemLog } from "./problem.js";
export { PROBLEM_CONTENT_TYPE, problemResult, statusOf } from "./problem.js";
export { validate } from "./request-body.js";
export type {
  AuthMode,
  GuestCartMode,
  HttpMethod,
  Reply,
  ResourceGroup,
  Route,
  RouteRequest,
  StoreAccess,
} from "./route-table.js";
export { GUEST_CART_TOKEN_HEADER, ROUTES, routeKey } from "./route-table.js";
export type { ApiHandler, RouterOptions } from "./router.js";
export { createRouter } from "./router.js";
export { commentBody, guestCartToken, idempotencyKey, saveCartBody } from "./schemas.js";
export type { WebSocketEvent, WebSocketHandler, WebSocketResult } from "./websocket.js";
export { createWebSocketRouter } from "./websocket.js";
