import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { WebSocketEvent } from "../http/index.js";
import { LOCAL_STAGE, requestTime } from "./api-gateway-event.js";
import { splitTarget } from "./plain-http.js";

/** A connection id shaped like API Gateway's (12 random bytes, base64: `Tf0n4dmXIAMCI1g=`-like). */
export const newConnectionId = (): string => randomBytes(12).toString("base64");

export interface WebSocketEventOptions {
  routeKey: "$connect" | "$disconnect" | "$default";
  connectionId: string;
  /** Epoch milliseconds of the handshake. */
  connectedAt: number;
  /** The handshake request, for `$connect`: its headers and query string go into the event. */
  request?: IncomingMessage;
  /** The query string of a `$connect` with no `request` (the request's own otherwise). */
  query?: Record<string, string>;
  /** A message's text, for `$default`. */
  body?: string;
  /** The close code and reason, for `$disconnect`. */
  disconnect?: { statusCode: number; reason: string };
  sourceIp?: string;
}

const EVENT_TYPES = {
  $connect: "CONNECT",
  $disconnect: "DISCONNECT",
  $default: "MESSAGE",
} as const;

/**
 * The event API Gateway's WebSocket API hands Lambda for one route, for the dev server's
 * `/notifications` endpoint: what the handler of the WebSocket function receives in AWS.
 */
export function toWebSocketEvent(options: WebSocketEventOptions): WebSocketEvent {
  const now = new Date();
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const raw = options.request?.rawHeaders ?? [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  let query: Record<string, string> | undefined;
  let multiQuery: Record<string, string[]> | undefined;
  const { query: queryString } = splitTarget(options.request?.url ?? "");
  const search = new URLSearchParams(queryString ?? options.query ?? {});
  for (const [name, value] of search) {
    query ??= {};
    multiQuery ??= {};
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const userAgent = options.request?.headers["user-agent"];
  return {
    requestContext: {
      routeKey: options.routeKey,
      eventType: EVENT_TYPES[options.routeKey],
      ...(options.routeKey === "$default" ? { messageId: randomBytes(12).toString("base64") } : {}),
      extendedRequestId: randomUUID(),
      requestTime: requestTime(now),
      messageDirection: "IN",
      stage: LOCAL_STAGE,
      connectedAt: options.connectedAt,
      requestTimeEpoch: now.getTime(),
      identity: {
        sourceIp: options.sourceIp ?? options.request?.socket.remoteAddress ?? "127.0.0.1",
        ...(userAgent === undefined ? {} : { userAgent }),
      },
      requestId: randomUUID(),
      domainName: options.request?.headers.host ?? "localhost",
      connectionId: options.connectionId,
      apiId: "local",
      ...(options.disconnect === undefined
        ? {}
        : {
            disconnectStatusCode: options.disconnect.statusCode,
            disconnectReason: options.disconnect.reason,
          }),
    },
    ...(options.routeKey === "$default" ? {} : { headers, multiValueHeaders }),
    ...(query === undefined || multiQuery === undefined
      ? {}
      : { queryStringParameters: query, multiValueQueryStringParameters: multiQuery }),
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
  };
}
