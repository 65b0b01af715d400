import { CONNECTION_TTL_SECONDS, type Connection, epochSeconds } from "../domain/index.js";
import type { Caller, Clock, Store } from "./ports.js";

export interface ConnectionService {
  /** Records the caller's new WebSocket connection, kept for CONNECTION_TTL_SECONDS at most. */
  connect(caller: Caller, connectionId: string): Promise<Connection>;
  disconnect(connectionId: string): Promise<void>;
}

export function createConnectionService(deps: { store: Store; clock: Clock }): ConnectionService {
  const { store, clock } = deps;
  return {
    async connect(caller, connectionId) {
      const now = clock.now();
      const connection: Connection = {
        id: connectionId,
        userId: caller.userId,
        connectedAt: now.toISOString(),
        expiresAt: epochSeconds(now) + CONNECTION_TTL_SECONDS,
      };
      await store.saveConnection(connection);
      return connection;
    },
    disconnect: (connectionId) => store.deleteConnection(connectionId),
  };
}
