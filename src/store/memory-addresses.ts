import {
  ADDRESS_BOOK_LIMITS,
  type AddressReplacement,
  addressBookFull,
  addressBookOrder,
  type NewSavedAddress,
  type SavedAddress,
} from "../domain/index.js";

const copy = (saved: SavedAddress): SavedAddress => ({
  ...saved,
  address: { ...saved.address },
});

/**
 * The memory store's address books: each user's entries by id. Synchronous, so each call is
 * atomic on Node's thread: the limit and the single default hold without a lock.
 */
export class MemoryAddresses {
  private readonly byUser = new Map<string, Map<string, SavedAddress>>();

  list(userId: string): SavedAddress[] {
    return [...(this.byUser.get(userId)?.values() ?? [])].map(copy).sort(addressBookOrder);
  }

  add(userId: string, entry: NewSavedAddress): SavedAddress {
    const book = this.byUser.get(userId) ?? new Map<string, SavedAddress>();
    if (book.size >= ADDRESS_BOOK_LIMITS.maxAddresses) {
      throw addressBookFull(ADDRESS_BOOK_LIMITS.maxAddresses);
    }
    if (entry.isDefault) this.clearDefault(book);
    const saved = copy(entry);
    book.set(saved.id, saved);
    this.byUser.set(userId, book);
    return copy(saved);
  }

  replace(
    userId: string,
    addressId: string,
    { address, isDefault }: AddressReplacement,
  ): SavedAddress | undefined {
    const book = this.byUser.get(userId);
    const current = book?.get(addressId);
    if (book === undefined || current === undefined) return undefined;
    if (isDefault === true) this.clearDefault(book);
    const saved: SavedAddress = {
      ...current,
      address: { ...address },
      isDefault: isDefault ?? current.isDefault,
    };
    book.set(addressId, saved);
    return copy(saved);
  }

  delete(userId: string, addressId: string): boolean {
    return this.byUser.get(userId)?.delete(addressId) ?? false;
  }

  private clearDefault(book: Map<string, SavedAddress>): void {
    for (const [id, saved] of book) {
      if (saved.isDefault) book.set(id, { ...saved, isDefault: false });
    }
  }
}
