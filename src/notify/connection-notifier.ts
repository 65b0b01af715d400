import { type Connection, epochSeconds } from "../domain/index.js";
import type { Clock, ConnectionDirectory, Logger, Notifier } from "../services/index.js";

/** What posting to one connection found: delivered, or the connection is no more. */
export type PostOutcome = "sent" | "gone";

/** Sends `data` to one connection; throws for anything but delivered and gone. */
export type PostToConnection = (connectionId: string, data: string) => Promise<PostOutcome>;

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * The notifier both adapters share: the user's live connections from the directory (the store),
 * the message posted to each at once, a connection that is gone deleted. Any other failure is logged and
 * swallowed: a notification is best effort and must never fail the order it is about.
 */
export function createConnectionNotifier(deps: {
  directory: ConnectionDirectory;
  clock: Clock;
  log: Logger;
  post: PostToConnection;
}): Notifier {
  const { directory, clock, log, post } = deps;
  return {
    async notify(userId, message) {
      let connections: Connection[];
      try {
        connections = await directory.listConnections(userId, epochSeconds(clock.now()));
      } catch (error) {
        log({
          level: "error",
          message: "listing connections failed",
          orderId: message.orderId,
          error: describe(error),
        });
        return;
      }
      const data = JSON.stringify(message);
      await Promise.all(
        connections.map(async (connection) => {
          try {
            if ((await post(connection.id, data)) === "gone") {
              await directory.deleteConnection(connection.id);
            }
          } catch (error) {
            log({
              level: "warn",
              message: "an order update was not delivered",
              orderId: message.orderId,
              connectionId: connection.id,
              error: describe(error),
            });
          }
        }),
      );
    },
  };
}

/**
 * The notifier of a function that has nowhere to post to (no WEBSOCKET_ENDPOINT): it says so
 * in the log, once per update, instead of crashing the processing.
 */
export function createSkippingNotifier(log: Logger, why: string): Notifier {
  return {
    async notify(_userId, message) {
      log({ level: "warn", message: `order update not sent: ${why}`, orderId: message.orderId });
    },
  };
}
