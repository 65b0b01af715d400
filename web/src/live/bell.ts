import type { OrderUpdate } from "../api/types.js";
import { createStore } from "../state.js";
import { onOrderUpdate } from "./order-updates.js";

export interface Notice extends OrderUpdate {
  receivedAt: number;
  read: boolean;
}

const MAX_NOTICES = 20;

/** Order updates received in this visit, newest first, for the bell. */
export const notices = createStore<Notice[]>([]);

export function startBell(): () => void {
  return onOrderUpdate((update) => {
    const list = notices.get();
    const latest = list.find((notice) => notice.orderId === update.orderId);
    // Polling and the socket may both report the same change: keep one.
    if (latest?.status === update.status) return;
    notices.set(
      [{ ...update, receivedAt: Date.now(), read: false }, ...list].slice(0, MAX_NOTICES),
    );
  });
}

export function markAllRead(): void {
  const list = notices.get();
  if (list.some((notice) => !notice.read)) {
    notices.set(list.map((notice) => ({ ...notice, read: true })));
  }
}

export function clearNotices(): void {
  notices.set([]);
}
