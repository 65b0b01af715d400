import { createStore } from "../state.js";
import type { GuestOrderLink } from "./guest-order-link.js";

// A guest's orders, each with its access token, the only key to it: kept in localStorage so the
// "Your order" link survives a reload and closing the tab.
const KEY = "store.guestOrders";
/** How many of a visitor's guest orders the page remembers, newest first. */
const MAX_KEPT = 10;

function read(): GuestOrderLink[] {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? "[]");
    if (!Array.isArray(value)) return [];
    return value.filter(
      (item): item is GuestOrderLink =>
        typeof item === "object" &&
        item !== null &&
        typeof (item as GuestOrderLink).id === "string" &&
        typeof (item as GuestOrderLink).token === "string",
    );
  } catch {
    return [];
  }
}

/** The guest orders this browser holds the key of, newest first. */
export const guestOrders = createStore<GuestOrderLink[]>(read());

/** Remembers an order's key (again: it moves to the front). */
export function keepGuestOrder(link: GuestOrderLink): void {
  const next = [link, ...guestOrders.get().filter((kept) => kept.id !== link.id)].slice(
    0,
    MAX_KEPT,
  );
  try {
    window.localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Private browsing may refuse storage: the link in the address bar still works.
  }
  guestOrders.set(next);
}

/** The key this browser holds for order `id`, if any. */
export function keptToken(id: string): string | null {
  return guestOrders.get().find((kept) => kept.id === id)?.token ?? null;
}
