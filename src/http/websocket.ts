import type { APIGatewayEventWebsocketRequestContextV2 } from "aws-lambda";
import { AppError } from "../domain/index.js";
import type { ConnectionService, Logger, TokenVerifier } from "../services/index.js";
import { type CorsConfig, isAllowedOrigin } from "./cors.js";
import { header } from "./headers.js";

/**
 * An API Gateway WebSocket API event (`$connect`, `$disconnect`, `$default`) as Lambda receives
 * it: `@types/aws-lambda`'s APIGatewayProxyWebsocketEventV2 made true to the wire. `$connect`
 * carries the handshake's headers and query string, `$disconnect` its close code and reason,
 * and only a message (`$default`) has a `messageId` and a body.
 */
export interface WebSocketEvent {
  requestContext: Omit<APIGatewayEventWebsocketRequestContextV2, "messageId"> & {
    messageId?: string;
    identity?: { sourceIp: string; userAgent?: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  multiValueQueryStringParameters?: Record<string, string[] | undefined>;
  body?: string;
  isBase64Encoded: boolean;
}

/** What the route answers; on `$connect` a status other than 2xx refuses the handshake. */
export interface WebSocketResult {
  statusCode: number;
  /** On `$connect`: the handshake's answer headers (the subprotocol chosen). */
  headers?: Record<string, string>;
  body?: string;
}

/**
 * The subprotocol a guest's page opens the socket with, its order's access token the second:
 * `new WebSocket(url + "?guestOrder=<id>", [GUEST_ORDER_SUBPROTOCOL, token])`. A handshake
 * header, because a browser can set no other on a WebSocket, and the address (query string
 * included) is what access logs keep.
 */
export const GUEST_ORDER_SUBPROTOCOL = "order-access-token";

/** The access token a guest's handshake offers after GUEST_ORDER_SUBPROTOCOL. */
function guestAccessTokenOf(offered: string | undefined): string | undefined {
  const [first, token, ...rest] = (offered ?? "").split(",").map((part) => part.trim());
  return first === GUEST_ORDER_SUBPROTOCOL && token !== undefined && rest.length === 0
    ? token
    : undefined;
}

export type WebSocketHandler = (event: WebSocketEvent) => Promise<WebSocketResult>;

const answer = (statusCode: number, message: string): WebSocketResult => ({
  statusCode,
  body: JSON.stringify({ message }),
});

/**
 * The WebSocket API's one handler, for every route: `$connect` verifies the access token of the
 * `token` query parameter with the same verifier as the REST API (browsers cannot set headers
 * on a WebSocket) and records the connection, or, for a guest (`?guestOrder=<id>`), the order's
 * access token offered as a subprotocol (GUEST_ORDER_SUBPROTOCOL); `$disconnect` forgets it; anything sent by a
 * client is refused: the socket only carries updates to the client.
 */
export function createWebSocketRouter(options: {
  connections: ConnectionService;
  verifier: TokenVerifier;
  /** A browser's handshake names its page's origin: only the API's allowed origins may connect. */
  cors: CorsConfig;
  log: Logger;
}): WebSocketHandler {
  const { connections, verifier, cors, log } = options;
  return async (event) => {
    const { routeKey, connectionId, requestId } = event.requestContext;
    try {
      switch (routeKey) {
        case "$connect": {
          // Browsers send Origin on every handshake and let any page open a socket, so this is
          // the only thing that stops a page elsewhere riding on a token it obtained. Clients
          // that are not browsers send none.
          const origin = header(event, "origin");
          if (origin !== undefined && !isAllowedOrigin(cors, origin)) {
            return answer(403, `origin ${origin} is not allowed to connect`);
          }
          const guestOrder = event.queryStringParameters?.guestOrder;
          if (guestOrder !== undefined) {
            const accessToken = guestAccessTokenOf(header(event, "sec-websocket-protocol"));
            if (accessToken === undefined) {
              return answer(
                401,
                `send the order's access token as a subprotocol: ${GUEST_ORDER_SUBPROTOCOL}, <token>`,
              );
            }
            await connections.connectGuest(guestOrder, accessToken, connectionId);
            return {
              statusCode: 200,
              headers: { "Sec-WebSocket-Protocol": GUEST_ORDER_SUBPROTOCOL },
            };
          }
          const token = event.queryStringParameters?.token;
          if (token === undefined || token === "") {
            return answer(401, "send the access token: ?token=<accessToken>");
          }
          // Recording a connection is a write: a local token naming no user may not make one.
          await connections.connect(await verifier.verify(token, "write"), connectionId);
          return { statusCode: 200 };
        }
        case "$disconnect":
          await connections.disconnect(connectionId);
          return { statusCode: 200 };
        default:
          return answer(400, "this socket only sends order updates; use the REST API");
      }
    } catch (error) {
      if (error instanceof AppError && error.code === "UNAUTHENTICATED") {
        return answer(401, error.message);
      }
      if (error instanceof AppError && error.code === "STORE_UNAVAILABLE") {
        return answer(503, error.message);
      }
      log({
        level: "error",
        message: error instanceof Error ? error.message : String(error),
        requestId,
        routeKey,
        ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}),
      });
      return answer(500, "an unexpected error occurred; it has been logged");
    }
  };
}
