import type { Clock, ConnectionDirectory, Logger, Notifier } from "../services/index.js";
import { createConnectionNotifier, type PostOutcome } from "./connection-notifier.js";

/** What the local notifier needs of a dev server's WebSocket: the `ws` socket fits. */
export interface LocalSocket {
  /** `WebSocket.OPEN` is 1. */
  readonly readyState: number;
  send(data: string, callback: (error?: Error | null) => void): void;
}

const OPEN = 1;

/**
 * The dev server's open WebSockets by connection id: what API Gateway keeps in AWS. A connection
 * is reserved while its `$connect` runs, before the handshake completes, and messages to it wait
 * until the socket is attached: the store knows the connection by then, and a notifier that
 * found no socket would take it for gone.
 */
export class LocalConnections {
  private readonly sockets = new Map<string, LocalSocket | string[]>();

  reserve(connectionId: string): void {
    this.sockets.set(connectionId, []);
  }

  attach(connectionId: string, socket: LocalSocket): void {
    const waiting = this.sockets.get(connectionId);
    this.sockets.set(connectionId, socket);
    if (Array.isArray(waiting)) for (const data of waiting) socket.send(data, () => {});
  }

  remove(connectionId: string): void {
    this.sockets.delete(connectionId);
  }

  /** Sends `data`; a connection without an open socket is gone, as API Gateway's 410 says. */
  post(connectionId: string, data: string): Promise<PostOutcome> {
    const socket = this.sockets.get(connectionId);
    if (Array.isArray(socket)) {
      socket.push(data);
      return Promise.resolve("sent");
    }
    if (socket === undefined || socket.readyState !== OPEN) return Promise.resolve("gone");
    return new Promise((resolve, reject) => {
      // `ws` calls back with null, not undefined, once the frame is written.
      socket.send(data, (error) => (error == null ? resolve("sent") : reject(error)));
    });
  }
}

/** The notifier of the dev server: the same delivery rules, through its own WebSockets. */
export function createLocalNotifier(deps: {
  directory: ConnectionDirectory;
  clock: Clock;
  log: Logger;
  connections: LocalConnections;
}): Notifier {
  const { connections, ...rest } = deps;
  return createConnectionNotifier({
    ...rest,
    post: (connectionId, data) => connections.post(connectionId, data),
  });
}
