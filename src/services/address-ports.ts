import type { AddressReplacement, NewSavedAddress, SavedAddress } from "../domain/index.js";

// The address book's part of the Store port, apart from ports.ts: what every store adapter
// implements so that a customer's book stays bounded, has at most one default, and is never
// read or changed by another customer (every method takes the owner's id, from the token).

export interface AddressStore {
  /**
   * The user's address book, the default first, then the oldest first (`addressBookOrder`).
   * At most ADDRESS_BOOK_LIMITS.maxAddresses entries: one bounded read, never paged.
   */
  listAddresses(userId: string): Promise<SavedAddress[]>;
  /**
   * In ONE atomic write: refuse with ADDRESS_BOOK_FULL (`addressBookFull`) when the book already
   * holds ADDRESS_BOOK_LIMITS.maxAddresses (two adds at once cannot make one too many); else
   * store it, and when it is the default, clear the previous default in the same write.
   */
  addAddress(userId: string, address: NewSavedAddress): Promise<SavedAddress>;
  /**
   * Replaces the address of the user's entry `addressId`, and its default flag as
   * `replacement.isDefault` says, atomically; undefined when the user has no such entry
   * (whether another user has it is never told).
   */
  replaceAddress(
    userId: string,
    addressId: string,
    replacement: AddressReplacement,
  ): Promise<SavedAddress | undefined>;
  /**
   * Removes the user's entry `addressId`; false when the user has none. Removing the default
   * leaves the book without one: no other address is promoted.
   */
  deleteAddress(userId: string, addressId: string): Promise<boolean>;
}
