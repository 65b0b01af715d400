import {
  AppError,
  CONNECTION_TTL_SECONDS,
  type Connection,
  epochSeconds,
} from "../domain/index.js";
import { opensGuestOrder } from "./order-links.js";
import type { OrderLinks } from "./outbox-ports.js";
import type { Caller, Clock, Store } from "./ports.js";

export interface ConnectionService {
  /** Records the caller's new WebSocket connection, kept for CONNECTION_TTL_SECONDS at most. */
  connect(caller: Caller, connectionId: string): Promise<Connection>;
  /**
   * Records a guest's connection following the guest order `orderId`, which `accessToken` must
   * open (UNAUTHENTICATED otherwise, as for no such order): the connection is the guest's, so
   * it is sent the updates of the guest's orders. An order already attached to an account is
   * refused too: it is finished, and its updates are that account's.
   */
  connectGuest(orderId: string, accessToken: string, connectionId: string): Promise<Connection>;
  disconnect(connectionId: string): Promise<void>;
}

export function createConnectionService(deps: {
  store: Store;
  clock: Clock;
  /** The link tokens of guests' e-mails, which follow a guest order as its access token does. */
  links: OrderLinks;
}): ConnectionService {
  const { store, clock, links } = deps;
  const save = async (userId: string, connectionId: string): Promise<Connection> => {
    const now = clock.now();
    const connection: Connection = {
      id: connectionId,
      userId,
      connectedAt: now.toISOString(),
      expiresAt: epochSeconds(now) + CONNECTION_TTL_SECONDS,
    };
    await store.saveConnection(connection);
    return connection;
  };
  return {
    connect: (caller, connectionId) => save(caller.userId, connectionId),
    async connectGuest(orderId, accessToken, connectionId) {
      const order = await store.findOrder(orderId);
      if (
        order === undefined ||
        !order.userId.startsWith("guest-") ||
        !(await opensGuestOrder(links, order, accessToken))
      ) {
        throw new AppError("UNAUTHENTICATED", "the access token opens no such guest order");
      }
      return save(order.userId, connectionId);
    },
    disconnect: (connectionId) => store.deleteConnection(connectionId),
  };
}
