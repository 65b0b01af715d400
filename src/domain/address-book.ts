import type { Address } from "./address.js";

/** How many addresses one customer's address book holds: small, so a list is never paged. */
export const ADDRESS_BOOK_LIMITS = { maxAddresses: 20 } as const;

/** An address a signed-in customer keeps in their address book. */
export interface SavedAddress {
  id: string;
  /** The canonical form (`normalizeAddress`), as an order would copy it. */
  address: Address;
  /** At most one address of a book is the default. */
  isDefault: boolean;
  /** ISO 8601: the book lists the default first, then the oldest first. */
  createdAt: string;
}

/** A new address for a book: it becomes the default when asked, clearing the previous one. */
export interface NewSavedAddress {
  id: string;
  address: Address;
  isDefault: boolean;
  createdAt: string;
}

/**
 * The changes to one saved address: the address replaced; `isDefault` true makes it the
 * default (clearing the previous one), false stops it being the default (the book then has
 * none), undefined leaves that as it was.
 */
export interface AddressReplacement {
  address: Address;
  isDefault?: boolean | undefined;
}

/** The order every store lists a book in: the default first, then by creation time and id. */
export function addressBookOrder(a: SavedAddress, b: SavedAddress): number {
  if (a.isDefault !== b.isDefault) return a.isDefault ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
