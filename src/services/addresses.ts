import {
  ADDRESS_BOOK_LIMITS,
  type AddressInput,
  addressNotFound,
  checkAddress,
  invalidAddress,
  normalizeAddress,
  type SavedAddress,
} from "../domain/index.js";
import type { Caller, Clock, IdGenerator, Store } from "./ports.js";
import { type PostalAddressView, postalAddressView } from "./views.js";

/** An address book entry as a client sends it (the body of POST and PUT /addresses). */
export interface NewAddress extends AddressInput {
  /** true: this becomes the default. On a replacement, absent keeps the entry's flag. */
  isDefault?: boolean | undefined;
}

/** An entry of the address book as clients see it; an optional field absent is null. */
export interface AddressView extends PostalAddressView {
  id: string;
  isDefault: boolean;
  createdAt: string;
}

export interface AddressBookView {
  /** The default first, then the oldest first: the whole book, never paged. */
  items: AddressView[];
  /** How many addresses the book may hold (ADDRESS_BOOK_LIMITS.maxAddresses). */
  maxAddresses: number;
}

export interface AddressBookService {
  listAddresses(caller: Caller): Promise<AddressBookView>;
  /** VALIDATION_FAILED naming each invalid field; ADDRESS_BOOK_FULL past the limit. */
  addAddress(caller: Caller, input: NewAddress): Promise<AddressView>;
  /** NOT_FOUND for an id that is not one of the caller's (another user's included). */
  replaceAddress(caller: Caller, addressId: string, input: NewAddress): Promise<AddressView>;
  /** NOT_FOUND for an id that is not one of the caller's. */
  deleteAddress(caller: Caller, addressId: string): Promise<void>;
}

export function addressView(saved: SavedAddress): AddressView {
  return {
    id: saved.id,
    ...postalAddressView(saved.address),
    isDefault: saved.isDefault,
    createdAt: saved.createdAt,
  };
}

/**
 * The canonical address of a body, or VALIDATION_FAILED naming each invalid field as the body
 * does (`postalCode`), since the address is the body itself here, not one of its members.
 */
function addressOf(input: NewAddress) {
  const { isDefault: _, ...fields } = input;
  const errors = checkAddress(fields, "");
  if (errors.length > 0) throw invalidAddress("the address book entry", errors);
  return normalizeAddress(fields);
}

export function createAddressBookService(deps: {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
}): AddressBookService {
  const { store, clock, ids } = deps;
  return {
    async listAddresses(caller) {
      const book = await store.listAddresses(caller.userId);
      return { items: book.map(addressView), maxAddresses: ADDRESS_BOOK_LIMITS.maxAddresses };
    },

    async addAddress(caller, input) {
      const address = addressOf(input);
      const saved = await store.addAddress(caller.userId, {
        id: ids.newId(),
        address,
        isDefault: input.isDefault === true,
        createdAt: clock.now().toISOString(),
      });
      return addressView(saved);
    },

    async replaceAddress(caller, addressId, input) {
      const address = addressOf(input);
      const saved = await store.replaceAddress(caller.userId, addressId, {
        address,
        isDefault: input.isDefault,
      });
      if (saved === undefined) throw addressNotFound(addressId);
      return addressView(saved);
    },

    async deleteAddress(caller, addressId) {
      if (!(await store.deleteAddress(caller.userId, addressId))) {
        throw addressNotFound(addressId);
      }
    },
  };
}
