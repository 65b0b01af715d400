import type { Order } from "../domain/index.js";

// The guest orders' part of the Store port, apart from ports.ts: finding the orders a guest
// placed with an e-mail address, and moving one into the account that confirmed that address.

/** How many guest orders of one e-mail address one attach looks at. */
export const GUEST_ORDER_LIMITS = { maxListed: 100 } as const;

export interface AttachGuestOrderCommand {
  orderId: string;
  /** The guest owner the order is under now (`guestOwnerId`). */
  fromUserId: string;
  toUserId: string;
}

export interface GuestOrderStore {
  /**
   * The guest orders placed with `email` (normalized, as checkout stored it) and not attached
   * to an account yet, oldest first, at most GUEST_ORDER_LIMITS.maxListed.
   */
  listGuestOrders(email: string): Promise<Order[]>;
  /**
   * Moves the finished (COMPLETED, FAILED or CANCELLED) guest order `orderId` from `fromUserId`
   * to `toUserId`, atomically: afterwards it is one of `toUserId`'s orders, found by id as
   * before, still opened by its access token, and no longer listed by `listGuestOrders`.
   * Undefined, writing nothing, when it is not (or no longer) a finished order of `fromUserId`:
   * an order in flight stays where processing looks for it.
   */
  attachGuestOrder(command: AttachGuestOrderCommand): Promise<Order | undefined>;
}

/** The Store methods of guest orders. */
export type GuestOrderStoreMethod = keyof GuestOrderStore;
