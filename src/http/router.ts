import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { AppError } from "../domain/index.js";
import {
  anonymousWithoutGuestCart,
  type Caller,
  guestCartTokenRequired,
  idNamed,
  requireAdmin,
  requireGuestCartToken,
  type TokenVerifier,
} from "../services/index.js";
import { type CorsConfig, isAllowedOrigin, preflightHeaders, withCors } from "./cors.js";
import { GUEST_CART_TOKEN_NAME, header } from "./headers.js";
import { methodNotAllowed } from "./http-error.js";
import { createPathMatcher } from "./path-match.js";
import { type ProblemLog, problemResult } from "./problem.js";
import { bodyText, parseJsonBody } from "./request-body.js";
import { withSafetyHeaders } from "./response-headers.js";
import type { Reply, Route, RouteServices } from "./route.js";

export type ApiHandler = (
  event: APIGatewayProxyEvent,
  context?: Pick<Context, "awsRequestId">,
) => Promise<APIGatewayProxyResult>;

export interface RouterOptions {
  /** The routes this handler serves. */
  routes: readonly Route[];
  /**
   * Every route of the API (`routes` are always counted). A function that serves one method of a resource
   * still answers its preflight and its `Allow` for all of them, as the deployed API has them.
   */
  apiRoutes?: readonly Route[];
  services: RouteServices;
  verifier: TokenVerifier;
  cors: CorsConfig;
  maxBodyBytes: number;
  log: ProblemLog;
}

const JSON_HEADERS = "application/json; charset=utf-8";

/**
 * The Lambda handler for a set of routes: looks the route up on `${httpMethod} ${resource}`,
 * answers preflights, checks the body, verifies the caller's token, runs the route and maps
 * every error to problem+json once, here.
 */
export function createRouter(options: RouterOptions): ApiHandler {
  const { services, verifier, cors, maxBodyBytes, log } = options;
  // By resource, then method: no `${method} ${resource}` key string built per request.
  const byResource = new Map<string, Map<string, Route>>();
  for (const route of options.routes) {
    const methods = byResource.get(route.resource) ?? new Map<string, Route>();
    methods.set(route.method, route);
    byResource.set(route.resource, methods);
  }
  const parametersOf = new Map(options.routes.map((route) => [route, parameterNames(route)]));
  const served = new Set(options.routes.map((route) => route.resource));
  const methodsByResource = new Map<string, string[]>();
  for (const route of [...options.routes, ...(options.apiRoutes ?? [])]) {
    if (!served.has(route.resource)) continue;
    const methods = methodsByResource.get(route.resource) ?? [];
    if (!methods.includes(route.method)) methods.push(route.method);
    methodsByResource.set(route.resource, methods);
  }
  for (const methods of methodsByResource.values()) {
    // HEAD is GET without the body (RFC 9110): every GET route answers it.
    const get = methods.indexOf("GET");
    if (get !== -1) methods.splice(get + 1, 0, "HEAD");
    methods.push("OPTIONS");
  }
  const matchPath = createPathMatcher(methodsByResource.keys());

  return async (event, context) => {
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? "local";
    const origin = header(event, "origin");
    let result: APIGatewayProxyResult;
    let route: Route | undefined;
    try {
      let resource = event.resource;
      let params = event.pathParameters ?? {};
      if (!methodsByResource.has(resource)) {
        // A catch-all resource such as /{proxy+}: find the route from the path, as API Gateway would.
        const match = matchPath(event.path);
        if (match === undefined) {
          throw new AppError("NOT_FOUND", `no resource at ${event.path}`);
        }
        resource = match.resource;
        params = match.params;
      }
      const head = event.httpMethod === "HEAD";
      route = byResource.get(resource)?.get(head ? "GET" : event.httpMethod);
      if (route === undefined) {
        const allow = methodsByResource.get(resource) ?? [];
        if (event.httpMethod === "OPTIONS") {
          return withSafetyHeaders(preflight(allow, origin), undefined, event);
        }
        throw methodNotAllowed(event.httpMethod, resource, allow);
      }
      result = toResult(await run(route, event, params, requestId));
    } catch (error) {
      result = problemResult(error, { path: event.path, requestId }, log);
    }
    if (event.httpMethod === "HEAD") result = withoutBody(result);
    return withSafetyHeaders(withCors(result, cors, origin), route, event);
  };

  /**
   * Size first (413 before reading further), then identity (401 before saying what is wrong with
   * the body of a caller who may not call at all), then the body itself, then the route. No
   * `async` layer of its own unless a token has to be verified: most reads of the shop carry none.
   */
  function run(
    route: Route,
    event: APIGatewayProxyEvent,
    params: Readonly<Record<string, string | undefined>>,
    requestId: string,
  ): Promise<Reply> {
    const text = bodyText(event, maxBodyBytes);
    const tokenless =
      route.auth === "none" ||
      (route.auth === "optional" && header(event, "authorization") === undefined);
    return tokenless
      ? handle(route, event, params, requestId, text, undefined, undefined)
      : runAuthenticated(route, event, params, requestId, text);
  }

  async function runAuthenticated(
    route: Route,
    event: APIGatewayProxyEvent,
    params: Readonly<Record<string, string | undefined>>,
    requestId: string,
    text: string | undefined,
  ): Promise<Reply> {
    let caller: Caller | undefined;
    let authFailure: AppError | undefined;
    try {
      caller = await authenticate(route, event);
    } catch (error) {
      const refused = error instanceof AppError && error.code === "UNAUTHENTICATED";
      if (!refused || route.ownAuthErrors !== true) throw error;
      authFailure = error;
    }
    // `return await`, not `return`: an async function that returns a promise waits two more
    // turns of the microtask queue for it to settle.
    return await handle(route, event, params, requestId, text, caller, authFailure);
  }

  /** The route's own checks and its service call, for a caller already known. */
  function handle(
    route: Route,
    event: APIGatewayProxyEvent,
    params: Readonly<Record<string, string | undefined>>,
    requestId: string,
    text: string | undefined,
    caller: Caller | undefined,
    authFailure: AppError | undefined,
  ): Promise<Reply> {
    const guestCartToken = guestCartTokenOf(route, caller, event);
    // Every `{name}` of the resource within the store's id limits, before any service sees it.
    for (const name of parametersOf.get(route) ?? []) idNamed(params[name] ?? "", name);
    const body = route.body === undefined ? undefined : parseJsonBody(event, text, route.body);
    return route.handle(services, {
      body,
      params,
      query: event.queryStringParameters ?? {},
      caller,
      guestCartToken,
      authFailure,
      requestId,
      rawBody: text,
      clientAddress: event.requestContext?.identity?.sourceIp ?? undefined,
      // A method, not an arrow: no closure to name at every request under tsx's keepNames.
      header(name) {
        return header(event, name);
      },
    });
  }

  async function authenticate(
    route: Route,
    event: APIGatewayProxyEvent,
  ): Promise<Caller | undefined> {
    const mode = route.auth;
    if (mode === "none") return undefined;
    const authorization = header(event, "authorization");
    if (authorization === undefined) {
      if (mode === "optional") return undefined;
      throw new AppError("UNAUTHENTICATED", "send an access token: Authorization: Bearer <token>");
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (match?.[1] === undefined) {
      throw new AppError("UNAUTHENTICATED", "the Authorization header must be Bearer <token>");
    }
    const caller = await verifier.verify(match[1], route.store === "write" ? "write" : "read");
    // 403 before the body is looked at: a non-operator learns nothing of what it would do.
    return mode === "admin" ? requireAdmin(caller) : caller;
  }

  function guestCartTokenOf(
    route: Route,
    caller: Caller | undefined,
    event: APIGatewayProxyEvent,
  ): string | undefined {
    if (route.guestCart === undefined) return undefined;
    // A signed-in caller's own cart wins: a token the page forgot to drop is no error.
    if (route.guestCart === "anonymous" && caller !== undefined) return undefined;
    return requireGuestCartToken(
      header(event, GUEST_CART_TOKEN_NAME),
      route.guestCart === "anonymous" ? anonymousWithoutGuestCart : guestCartTokenRequired,
    );
  }

  function preflight(allow: string[], origin: string | undefined): APIGatewayProxyResult {
    if (origin !== undefined && !isAllowedOrigin(cors, origin)) {
      throw new AppError("FORBIDDEN", `origin ${origin} is not allowed to call this API`);
    }
    const headers: Record<string, string> = { Allow: allow.join(", ") };
    if (origin !== undefined) Object.assign(headers, preflightHeaders(cors, allow));
    return withCors({ statusCode: 204, headers, body: "" }, cors, origin);
  }
}

const PARAMETER = /\{([^}+]+)\+?\}/g;

/** The `{name}`s of a route's resource template: `/products/{id}/comments` -> `id`. */
function parameterNames(route: Route): string[] {
  return Array.from(route.resource.matchAll(PARAMETER), (match) => match[1] ?? "");
}

/** A HEAD's answer: the GET's status and headers, its length, and no body. */
function withoutBody(result: APIGatewayProxyResult): APIGatewayProxyResult {
  const bytes = Buffer.byteLength(result.body, result.isBase64Encoded === true ? "base64" : "utf8");
  const headers = { ...result.headers, "Content-Length": String(bytes) };
  return { ...result, headers, body: "", isBase64Encoded: false };
}

function toResult(reply: Reply): APIGatewayProxyResult {
  const headers = reply.headers ?? {};
  if (reply.body === undefined) return { statusCode: reply.statusCode, headers, body: "" };
  headers["Content-Type"] ??= JSON_HEADERS;
  return { statusCode: reply.statusCode, headers, body: JSON.stringify(reply.body) };
}
