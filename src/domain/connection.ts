/**
 * A client's open WebSocket connection, by which order updates reach its user. It expires on
 * its own (the store keeps it no longer than `expiresAt`): a connection whose disconnect was
 * never seen cannot pile up.
 */
export interface Connection {
  /** API Gateway's connection id (the dev server makes its own). */
  id: string;
  userId: string;
  connectedAt: string;
  /** Epoch seconds after which the connection is gone, whether or not it said goodbye. */
  expiresAt: number;
}

/** How long a connection is kept: API Gateway closes a WebSocket after 2 hours at the latest. */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
