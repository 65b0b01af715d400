import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ADDRESS_BOOK_LIMITS,
  type Address,
  type NewSavedAddress,
} from "../../../src/domain/index.js";
import type { Store } from "../../../src/services/index.js";
import { appErrorOf } from "../../helpers/errors.js";

const ALICE = "user-alice";
const BOB = "user-bob";
const MAX = ADDRESS_BOOK_LIMITS.maxAddresses;

const BERLIN: Address = {
  name: "Erika Mustermann",
  line1: "Heidestraße 17",
  city: "Berlin",
  postalCode: "10557",
  country: "DE",
};
const PORTLAND: Address = {
  name: "Jo Doe",
  line1: "1 Main St",
  line2: "Apt 4",
  city: "Portland",
  region: "OR",
  postalCode: "97201",
  country: "US",
  phone: "+15035550100",
};

let sequence = 0;
/** A new entry with a fresh id, created `n` seconds into 2026-05-01T12:00. */
const entry = (n: number, isDefault = false, address: Address = BERLIN): NewSavedAddress => ({
  id: `a-contract-${String(++sequence).padStart(4, "0")}`,
  address,
  isDefault,
  createdAt: new Date(Date.UTC(2026, 4, 1, 12, 0, n)).toISOString(),
});

/**
 * The address books' part of the Store contract: each user's book is their own, holds at most
 * ADDRESS_BOOK_LIMITS.maxAddresses however many adds race, and has at most one default, moved
 * in the same write that names the new one. `makeStore` returns a fresh store.
 */
export function describeAddressesContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store contract, address books`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    const defaults = async (userId: string) =>
      (await store.listAddresses(userId)).filter((saved) => saved.isDefault).map((s) => s.id);

    it("starts empty, and keeps each address as it was given, optional fields absent", async () => {
      expect(await store.listAddresses(ALICE)).toEqual([]);
      const berlin = entry(1);
      const portland = entry(2, false, PORTLAND);
      expect(await store.addAddress(ALICE, berlin)).toEqual(berlin);
      await store.addAddress(ALICE, portland);
      expect(await store.listAddresses(ALICE)).toEqual([berlin, portland]);
      expect(await store.listAddresses(BOB)).toEqual([]);
    });

    it("lists the default first, then the oldest first", async () => {
      const first = entry(1);
      const second = entry(2);
      const third = entry(3, true);
      for (const saved of [second, third, first]) await store.addAddress(ALICE, saved);
      expect((await store.listAddresses(ALICE)).map((saved) => saved.id)).toEqual([
        third.id,
        first.id,
        second.id,
      ]);
    });

    it("keeps one default: a new default clears the previous one in the same write", async () => {
      const first = await store.addAddress(ALICE, entry(1, true));
      const second = await store.addAddress(ALICE, entry(2, true));
      expect(await defaults(ALICE)).toEqual([second.id]);
      await store.replaceAddress(ALICE, first.id, { address: PORTLAND, isDefault: true });
      expect(await defaults(ALICE)).toEqual([first.id]);
    });

    it("replaces an address, keeping its id and creation time; the default flag as asked", async () => {
      const saved = await store.addAddress(ALICE, entry(1, true));
      const kept = await store.replaceAddress(ALICE, saved.id, { address: PORTLAND });
      expect(kept).toEqual({ ...saved, address: PORTLAND, isDefault: true });
      expect(await store.listAddresses(ALICE)).toEqual([kept]);
      const cleared = await store.replaceAddress(ALICE, saved.id, {
        address: BERLIN,
        isDefault: false,
      });
      expect(cleared).toEqual({ ...saved, isDefault: false });
      expect(await defaults(ALICE)).toEqual([]);
    });

    it("never reads, replaces or deletes another user's address", async () => {
      const alices = await store.addAddress(ALICE, entry(1, true));
      expect(
        await store.replaceAddress(BOB, alices.id, { address: PORTLAND, isDefault: true }),
      ).toBeUndefined();
      expect(await store.deleteAddress(BOB, alices.id)).toBe(false);
      expect(await store.listAddresses(BOB)).toEqual([]);
      expect(await store.listAddresses(ALICE)).toEqual([alices]);
    });

    it("answers an unknown id as not found, and a deleted one too", async () => {
      expect(await store.replaceAddress(ALICE, "no-such-id", { address: BERLIN })).toBeUndefined();
      expect(await store.deleteAddress(ALICE, "no-such-id")).toBe(false);
      const saved = await store.addAddress(ALICE, entry(1));
      expect(await store.deleteAddress(ALICE, saved.id)).toBe(true);
      expect(await store.deleteAddress(ALICE, saved.id)).toBe(false);
      expect(await store.replaceAddress(ALICE, saved.id, { address: BERLIN })).toBeUndefined();
      expect(await store.listAddresses(ALICE)).toEqual([]);
    });

    it("deleting the default leaves the book without one: no other is promoted", async () => {
      const older = await store.addAddress(ALICE, entry(1));
      const chosen = await store.addAddress(ALICE, entry(2, true));
      await store.deleteAddress(ALICE, chosen.id);
      expect(await store.listAddresses(ALICE)).toEqual([older]);
      const next = await store.addAddress(ALICE, entry(3, true));
      expect(await defaults(ALICE)).toEqual([next.id]);
    });

    it(`refuses the ${MAX + 1}st address with ADDRESS_BOOK_FULL, storing nothing; a delete makes room`, async () => {
      const book = [];
      for (let n = 0; n < MAX; n++) book.push(await store.addAddress(ALICE, entry(n)));
      const error = await appErrorOf(store.addAddress(ALICE, entry(MAX, true)));
      expect(error.code).toBe("ADDRESS_BOOK_FULL");
      expect(await store.listAddresses(ALICE)).toHaveLength(MAX);
      expect(await defaults(ALICE)).toEqual([]);
      // Another user's book is not counted against Alice's, nor hers against theirs.
      await store.addAddress(BOB, entry(0));
      await store.deleteAddress(ALICE, book[0]?.id ?? "");
      await store.addAddress(ALICE, entry(MAX + 1));
      expect(await store.listAddresses(ALICE)).toHaveLength(MAX);
    });

    it(`lets exactly one of several adds racing for the ${MAX}th place through`, async () => {
      for (let n = 0; n < MAX - 1; n++) await store.addAddress(ALICE, entry(n));
      const racing = Array.from({ length: 4 }, (_, i) => entry(100 + i, true));
      const outcomes = await Promise.allSettled(
        racing.map((saved) => store.addAddress(ALICE, saved)),
      );
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") {
          expect((outcome.reason as { code?: string }).code).toBe("ADDRESS_BOOK_FULL");
        }
      }
      const book = await store.listAddresses(ALICE);
      expect(book).toHaveLength(MAX);
      expect(book.filter((saved) => saved.isDefault)).toHaveLength(1);
    });

    it("keeps one default when several adds ask for it at once", async () => {
      await Promise.all(
        Array.from({ length: 4 }, (_, i) => store.addAddress(ALICE, entry(i, true))),
      );
      expect(await defaults(ALICE)).toHaveLength(1);
      expect(await store.listAddresses(ALICE)).toHaveLength(4);
    });
  });
}
