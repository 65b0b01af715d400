import {
  ADDRESS_BOOK_LIMITS,
  type Address,
  type AddressReplacement,
  addressBookFull,
  addressBookOrder,
  type NewSavedAddress,
  type SavedAddress,
  storeUnavailable,
} from "../../domain/index.js";
import type { Item } from "./items.js";
import { getItem, queryAll, type Table } from "./reads.js";
import { failed, refusalOf, transact } from "./retries.js";
import { keys } from "./table.js";

// A user's address book lives in the user's own partition: `ADDRESS#id` items and one
// `ADDRESS_BOOK` item holding their count and the default's id. Every write to a book goes
// through that item in one TransactWriteItems, so the limit and the single default hold across
// every Lambda instance, and no key outside the user's partition is ever written.

/** Tries of a change whose book another change moved between the read and the write. */
const ADDRESS_MAX_ATTEMPTS = 5;

interface Book {
  count: number;
  defaultId: string | undefined;
}

const bookFrom = (item: Item | undefined): Book => ({
  count: typeof item?.count === "number" ? item.count : 0,
  defaultId: typeof item?.defaultId === "string" ? item.defaultId : undefined,
});

const addressItem = (
  userId: string,
  entry: { id: string; address: Address; createdAt: string },
) => ({
  ...keys.address(userId, entry.id),
  type: "ADDRESS",
  id: entry.id,
  address: { ...entry.address },
  createdAt: entry.createdAt,
});

const savedFrom = (item: Item, defaultId: string | undefined): SavedAddress => ({
  id: String(item.id),
  address: { ...(item.address as Address) },
  isDefault: item.id === defaultId,
  createdAt: String(item.createdAt),
});

/** The whole book: ONE strongly consistent Query of at most the limit's items and the book's. */
export async function listAddresses(table: Table, userId: string): Promise<SavedAddress[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
    ExpressionAttributeValues: {
      ":pk": keys.userPartition(userId),
      ":prefix": keys.addressBookSortPrefix,
    },
    ConsistentRead: true,
  });
  const book = bookFrom(items.find((item) => item.type === "ADDRESS_BOOK"));
  return items
    .filter((item) => item.type === "ADDRESS")
    .map((item) => savedFrom(item, book.defaultId))
    .sort(addressBookOrder);
}

/**
 * ONE TransactWriteItems: the book's count goes up by one on the condition that it is under the
 * limit (and its default becomes this address when asked), and the address is put. Two adds at
 * once both condition on the count: DynamoDB lets one through, and re-evaluates the other.
 */
export async function addAddress(
  table: Table,
  userId: string,
  entry: NewSavedAddress,
): Promise<SavedAddress> {
  const outcome = await transact(table.documents, [
    {
      Update: {
        TableName: table.name,
        Key: keys.addressBook(userId),
        UpdateExpression: `SET #type = :type${entry.isDefault ? ", defaultId = :id" : ""} ADD #count :one`,
        ConditionExpression: "attribute_not_exists(#count) OR #count < :max",
        ExpressionAttributeNames: { "#type": "type", "#count": "count" },
        ExpressionAttributeValues: {
          ":type": "ADDRESS_BOOK",
          ":one": 1,
          ":max": ADDRESS_BOOK_LIMITS.maxAddresses,
          ...(entry.isDefault ? { ":id": entry.id } : {}),
        },
      },
    },
    {
      Put: {
        TableName: table.name,
        Item: addressItem(userId, entry),
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
  ]);
  if (!outcome.written) {
    throw refusalOf(outcome, [() => addressBookFull(ADDRESS_BOOK_LIMITS.maxAddresses)]);
  }
  return { ...entry, address: { ...entry.address } };
}

/**
 * The book's update that makes its default what `wanted` says, conditional on the default read
 * (`book.defaultId`), or nothing to change.
 */
function defaultChange(
  table: Table,
  userId: string,
  book: Book,
  addressId: string,
  wanted: boolean,
) {
  const is = book.defaultId === addressId;
  if (wanted === is) return [];
  const seen =
    book.defaultId === undefined
      ? { condition: "attribute_not_exists(defaultId)", values: {} }
      : { condition: "defaultId = :seen", values: { ":seen": book.defaultId } };
  return [
    {
      Update: {
        TableName: table.name,
        Key: keys.addressBook(userId),
        UpdateExpression: wanted ? "SET defaultId = :id" : "REMOVE defaultId",
        ConditionExpression: seen.condition,
        ExpressionAttributeValues: { ...(wanted ? { ":id": addressId } : {}), ...seen.values },
      },
    },
  ];
}

/**
 * Reads the address and its book, then in ONE TransactWriteItems puts the new address (on the
 * condition that it still exists) and moves the book's default when asked (on the condition
 * that the default is still the one read, else it reads again).
 */
export async function replaceAddress(
  table: Table,
  userId: string,
  addressId: string,
  { address, isDefault }: AddressReplacement,
): Promise<SavedAddress | undefined> {
  for (let attempt = 0; attempt < ADDRESS_MAX_ATTEMPTS; attempt++) {
    const [current, bookItem] = await Promise.all([
      getItem(table, keys.address(userId, addressId)),
      getItem(table, keys.addressBook(userId)),
    ]);
    if (current === undefined) return undefined;
    const book = bookFrom(bookItem);
    const wanted = isDefault ?? book.defaultId === addressId;
    const createdAt = String(current.createdAt);
    const outcome = await transact(table.documents, [
      {
        Put: {
          TableName: table.name,
          Item: addressItem(userId, { id: addressId, address, createdAt }),
          ConditionExpression: "attribute_exists(PK)",
        },
      },
      ...defaultChange(table, userId, book, addressId, wanted),
    ]);
    if (outcome.written)
      return { id: addressId, address: { ...address }, isDefault: wanted, createdAt };
    if (outcome.contended) throw storeUnavailable(outcome.error);
    const [gone, moved] = outcome.reasons;
    if (failed(gone)) return undefined;
    if (!failed(moved)) throw outcome.error;
  }
  throw storeUnavailable(new Error("an address book kept changing during every attempt"));
}

/**
 * ONE TransactWriteItems: the address deleted (on the condition that it exists) and the book's
 * count down by one; when it was the default, the book's default removed with it (the book
 * then has none), conditional on the default read.
 */
export async function deleteAddress(
  table: Table,
  userId: string,
  addressId: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < ADDRESS_MAX_ATTEMPTS; attempt++) {
    const book = bookFrom(await getItem(table, keys.addressBook(userId)));
    const wasDefault = book.defaultId === addressId;
    const outcome = await transact(table.documents, [
      {
        Delete: {
          TableName: table.name,
          Key: keys.address(userId, addressId),
          ConditionExpression: "attribute_exists(PK)",
        },
      },
      {
        Update: {
          TableName: table.name,
          Key: keys.addressBook(userId),
          UpdateExpression: `ADD #count :minusOne${wasDefault ? " REMOVE defaultId" : ""}`,
          // Not the default as read, nor made it since: else the book would name a deleted one.
          ConditionExpression: wasDefault
            ? "defaultId = :id"
            : "attribute_exists(PK) AND (attribute_not_exists(defaultId) OR defaultId <> :id)",
          ExpressionAttributeNames: { "#count": "count" },
          ExpressionAttributeValues: { ":minusOne": -1, ":id": addressId },
        },
      },
    ]);
    if (outcome.written) return true;
    if (outcome.contended) throw storeUnavailable(outcome.error);
    const [gone, moved] = outcome.reasons;
    if (failed(gone)) return false;
    if (!failed(moved)) throw outcome.error;
  }
  throw storeUnavailable(new Error("an address book kept changing during every attempt"));
}
