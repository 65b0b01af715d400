import type Database from "better-sqlite3";
import {
  ADDRESS_BOOK_LIMITS,
  type Address,
  type AddressReplacement,
  addressBookFull,
  type NewSavedAddress,
  type SavedAddress,
} from "../../domain/index.js";

interface AddressRow {
  id: string;
  address: string;
  isDefault: number;
  createdAt: string;
}

const COLUMNS = "id, address, is_default AS isDefault, created_at AS createdAt";

const savedFrom = (row: AddressRow): SavedAddress => ({
  id: row.id,
  address: JSON.parse(row.address) as Address,
  isDefault: row.isDefault === 1,
  createdAt: row.createdAt,
});

/**
 * The address books' statements. A user's rows are read through the (user_id, created_at, id)
 * index; a partial unique index allows one default row per user, and each write runs in one
 * IMMEDIATE transaction, so the count checked is the count written against, across processes.
 */
export function prepareAddresses(db: Database.Database) {
  const list = db.prepare<[string], AddressRow>(
    `SELECT ${COLUMNS} FROM addresses WHERE user_id = ? ` +
      "ORDER BY is_default DESC, created_at, id",
  );
  const one = db.prepare<[string, string], AddressRow>(
    `SELECT ${COLUMNS} FROM addresses WHERE user_id = ? AND id = ?`,
  );
  const count = db
    .prepare<[string], number>("SELECT COUNT(*) FROM addresses WHERE user_id = ?")
    .pluck();
  const clearDefault = db.prepare<[string]>(
    "UPDATE addresses SET is_default = 0 WHERE user_id = ? AND is_default = 1",
  );
  const insert = db.prepare<{
    id: string;
    userId: string;
    address: string;
    isDefault: number;
    createdAt: string;
  }>(
    "INSERT INTO addresses (id, user_id, address, is_default, created_at) " +
      "VALUES (@id, @userId, @address, @isDefault, @createdAt)",
  );
  const update = db.prepare<{ id: string; userId: string; address: string; isDefault: number }>(
    "UPDATE addresses SET address = @address, is_default = @isDefault " +
      "WHERE user_id = @userId AND id = @id",
  );
  const remove = db.prepare<[string, string]>("DELETE FROM addresses WHERE user_id = ? AND id = ?");

  const add = db.transaction((userId: string, entry: NewSavedAddress): SavedAddress => {
    if ((count.get(userId) ?? 0) >= ADDRESS_BOOK_LIMITS.maxAddresses) {
      throw addressBookFull(ADDRESS_BOOK_LIMITS.maxAddresses);
    }
    if (entry.isDefault) clearDefault.run(userId);
    insert.run({
      id: entry.id,
      userId,
      address: JSON.stringify(entry.address),
      isDefault: entry.isDefault ? 1 : 0,
      createdAt: entry.createdAt,
    });
    return { ...entry, address: { ...entry.address } };
  });

  const replace = db.transaction(
    (userId: string, id: string, change: AddressReplacement): SavedAddress | undefined => {
      const row = one.get(userId, id);
      if (row === undefined) return undefined;
      const isDefault = change.isDefault ?? row.isDefault === 1;
      if (change.isDefault === true) clearDefault.run(userId);
      update.run({
        id,
        userId,
        address: JSON.stringify(change.address),
        isDefault: isDefault ? 1 : 0,
      });
      return { id, address: { ...change.address }, isDefault, createdAt: row.createdAt };
    },
  );

  return {
    list(userId: string): SavedAddress[] {
      return list.all(userId).map(savedFrom);
    },
    add(userId: string, entry: NewSavedAddress): SavedAddress {
      return add.immediate(userId, entry);
    },
    replace(userId: string, id: string, change: AddressReplacement): SavedAddress | undefined {
      return replace.immediate(userId, id, change);
    },
    delete(userId: string, id: string): boolean {
      return remove.run(userId, id).changes > 0;
    },
  };
}
