import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { WebSocketHandler, WebSocketResult } from "../http/index.js";
import type { LocalConnections } from "../notify/index.js";
import { newConnectionId, toWebSocketEvent } from "./websocket-event.js";

/** The one path that accepts WebSocket upgrades: `ws://HOST/notifications?token=JWT`. */
export const NOTIFICATIONS_PATH = "/notifications";

/** Messages from clients are refused anyway; no reason to buffer large ones. */
const MAX_MESSAGE_BYTES = 16 * 1024;

export interface WebSocketEndpointOptions {
  handler: WebSocketHandler;
  connections: LocalConnections;
  log?: ((line: string) => void) | undefined;
}

/**
 * What API Gateway's WebSocket API does, on the dev server: an upgrade at `/notifications` runs
 * the handler's `$connect` with the event AWS would send and completes the handshake only on a
 * 2xx answer (else answers the handshake with that status); messages run `$default`, a close
 * runs `$disconnect`. Open sockets go into `connections`, where the local notifier finds them.
 */
export function acceptWebSockets(server: Server, options: WebSocketEndpointOptions): () => void {
  const { handler, connections, log } = options;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets during the handshake must not take the server down with it.
    socket.on("error", () => socket.destroy());
    upgrade(request, socket, head).catch(() => socket.destroy());
  };
  server.on("upgrade", onUpgrade);

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const target = request.url ?? "/";
    const path = target.split("?", 1)[0];
    if (path !== NOTIFICATIONS_PATH) {
      return refuse(socket, {
        statusCode: 404,
        body: JSON.stringify({ message: "no WebSocket here" }),
      });
    }
    const connectionId = newConnectionId();
    const connectedAt = Date.now();
    connections.reserve(connectionId);
    const result = await handler(
      toWebSocketEvent({ routeKey: "$connect", connectionId, connectedAt, request }),
    );
    if (result.statusCode < 200 || result.statusCode > 299) {
      connections.remove(connectionId);
      log?.(`GET ${NOTIFICATIONS_PATH} ${result.statusCode} (WebSocket refused)`);
      return refuse(socket, result);
    }
    const disconnect = (statusCode: number, reason: string) => {
      connections.remove(connectionId);
      const event = toWebSocketEvent({
        routeKey: "$disconnect",
        connectionId,
        connectedAt,
        disconnect: { statusCode, reason },
      });
      handler(event).catch(() => {});
    };
    if (socket.destroyed) return disconnect(1006, "the client left during the handshake");
    sockets.handleUpgrade(request, socket, head, (ws) => {
      log?.(`GET ${NOTIFICATIONS_PATH} 101 (WebSocket ${connectionId})`);
      connections.attach(connectionId, ws);
      ws.on("message", (data, isBinary) => {
        const body = isBinary ? undefined : String(data);
        const event = toWebSocketEvent({
          routeKey: "$default",
          connectionId,
          connectedAt,
          ...(body === undefined ? {} : { body }),
        });
        handler(event)
          .then((answer) => {
            if (answer.body !== undefined && ws.readyState === ws.OPEN) ws.send(answer.body);
          })
          .catch(() => {});
      });
      ws.on("close", (code, reason) => disconnect(code, reason.toString("utf8")));
    });
  }

  return () => {
    server.off("upgrade", onUpgrade);
    for (const client of sockets.clients) client.terminate();
    sockets.close();
  };
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Answers the handshake with a plain HTTP response, as API Gateway does for a refused $connect. */
function refuse(socket: Duplex, result: WebSocketResult): void {
  const body = result.body ?? "";
  socket.end(
    `HTTP/1.1 ${result.statusCode} ${REASONS[result.statusCode] ?? "Refused"}\r\n` +
      "Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n" +
      // A refusal of who the caller is: never kept by a cache, never sniffed.
      "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
