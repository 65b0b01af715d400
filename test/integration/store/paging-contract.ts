import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Comment, Product } from "../../../src/domain/index.js";
import type { OrderKey, Page, PageRequest, Store } from "../../../src/services/index.js";
import { SEED_PRODUCTS } from "../../../src/store/index.js";
import { placeOneBirdAt } from "../../helpers/orders.js";

const ALICE = "user-alice";
const IDS_IN_ORDER = SEED_PRODUCTS.map((product) => product.id).sort((a, b) =>
  a < b ? -1 : a > b ? 1 : 0,
);

/** Every page from the first, calling `between` after each; fails past 100 pages. */
async function allPages<Item, Key>(
  read: (page: PageRequest<Key>) => Promise<Page<Item, Key>>,
  limit: number,
  between: (pageNumber: number) => Promise<void> = async () => {},
): Promise<Item[][]> {
  const pages: Item[][] = [];
  let after: Key | undefined;
  do {
    const page = await read({ limit, after });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    pages.push(page.items);
    after = page.next;
    await between(pages.length);
  } while (after !== undefined && pages.length < 100);
  expect(after).toBeUndefined();
  return pages;
}

const comment = (productId: string, n: number): Comment => ({
  id: `c-paging-${productId}-${String(n).padStart(3, "0")}`,
  productId,
  author: "Pager",
  rating: 3,
  text: `comment ${n}`,
  createdAt: `2026-06-01T00:00:${String(n % 60).padStart(2, "0")}.${String(n).padStart(3, "0")}Z`,
});

/** A comment by a user of its own, so no rate limit applies. */
const byNobody = (c: Comment) => ({ comment: c, userId: `user-${c.id}` });

/**
 * The paged lists of the Store contract: every item exactly once across pages, in the list's
 * order, whatever is added while a client pages. `makeStore` returns a fresh seeded store.
 */
export function describePagingContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: Store contract, paged lists`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    const placeOrderAt = (userId: string, createdAt: string, orderId: string) =>
      placeOneBirdAt(store, userId, createdAt, orderId);

    it.each([1, 3, 10, 11])(
      "pages the catalogue %i at a time: every product once, in id order, with its comments",
      async (limit) => {
        const pages = await allPages(
          (page: PageRequest<string>) => store.listProductPage(page),
          limit,
        );
        const products = pages.flat();
        expect(products.map((p) => p.id)).toEqual(IDS_IN_ORDER);
        for (const product of products) {
          expect(product).toStrictEqual(await store.getProduct(product.id));
        }
      },
    );

    it("keeps every product once while comments are added behind and ahead of the page", async () => {
      let n = 0;
      const pages = await allPages(
        (page: PageRequest<string>) => store.listProductPage(page),
        2,
        async () => {
          // One comment on a product already read, one on a product still to come.
          for (const id of [IDS_IN_ORDER[0], IDS_IN_ORDER.at(-1)]) {
            if (id !== undefined) await store.addComment(byNobody(comment(id, n++)));
          }
        },
      );
      expect(pages.flat().map((p) => p.id)).toEqual(IDS_IN_ORDER);
    });

    it("pages past a product with more comments than a page reads at once", async () => {
      const busy = IDS_IN_ORDER[1] ?? "";
      for (let i = 0; i < 40; i++) await store.addComment(byNobody(comment(busy, i)));
      const pages = await allPages((page: PageRequest<string>) => store.listProductPage(page), 1);
      const products = pages.flat();
      expect(products.map((p) => p.id)).toEqual(IDS_IN_ORDER);
      expect(products.find((p) => p.id === busy)?.comments.length).toBe(
        (await store.getProduct(busy))?.comments.length,
      );
    });

    it("answers an empty last page after the last product", async () => {
      const last = IDS_IN_ORDER.at(-1);
      expect(await store.listProductPage({ limit: 5, after: last })).toStrictEqual({
        items: [],
        next: undefined,
      });
    });

    const newProduct = (id: string): Product => ({
      id,
      name: `New ${id}`,
      description: "Added while a client pages",
      imageUrl: "/images/new.svg",
      priceCents: 1_000,
      stock: 3,
    });

    it("keeps every product once while operators add products behind and ahead of the page", async () => {
      const pages = await allPages(
        (page: PageRequest<string>) => store.listProductPage(page),
        2,
        async (pageNumber) => {
          if (pageNumber !== 1) return;
          // "0…" sorts before every seed id (already behind the client), "zz…" after them all.
          await store.createProduct({ product: newProduct("0-added-behind") });
          await store.createProduct({ product: newProduct("zz-added-ahead") });
        },
      );
      const ids = pages.flat().map((p) => p.id);
      expect(ids).toEqual([...IDS_IN_ORDER, "zz-added-ahead"]);
    });

    it("keeps every product once, and leaves archived ones out, while operators archive", async () => {
      const first = IDS_IN_ORDER[0] ?? "";
      const last = IDS_IN_ORDER.at(-1) ?? "";
      const pages = await allPages(
        (page: PageRequest<string>) => store.listProductPage(page),
        2,
        async (pageNumber) => {
          if (pageNumber !== 1) return;
          await store.archiveProduct(first);
          await store.archiveProduct(last);
        },
      );
      expect(pages.flat().map((p) => p.id)).toEqual(IDS_IN_ORDER.slice(0, -1));
      const again = await allPages((page: PageRequest<string>) => store.listProductPage(page), 3);
      expect(again.flat().map((p) => p.id)).toEqual(IDS_IN_ORDER.slice(1, -1));
    });

    it("pages past an archived product whose comments fill more than a page's read", async () => {
      const busy = IDS_IN_ORDER[1] ?? "";
      for (let i = 0; i < 40; i++) await store.addComment(byNobody(comment(busy, i)));
      await store.archiveProduct(busy);
      for (const limit of [1, 2]) {
        const pages = await allPages(
          (page: PageRequest<string>) => store.listProductPage(page),
          limit,
        );
        const products = pages.flat();
        expect(products.map((p) => p.id)).toEqual(IDS_IN_ORDER.filter((id) => id !== busy));
        for (const product of products) {
          expect(product).toStrictEqual(await store.getProduct(product.id));
        }
      }
    });

    it("pages a user's orders newest first, each once, while newer orders are placed", async () => {
      const placed = [];
      for (let i = 0; i < 7; i++) {
        // Two orders share each second: ties go by id, descending.
        const at = `2026-05-01T12:00:0${Math.floor(i / 2)}.000Z`;
        placed.push(await placeOrderAt(ALICE, at, `order-${i}`));
      }
      await placeOrderAt("user-bob", "2026-05-01T12:00:05.000Z", "order-bob");
      let later = 0;
      const pages = await allPages(
        (page: PageRequest<OrderKey>) => store.listOrderPage(ALICE, page),
        2,
        async () => {
          later++;
          await placeOrderAt(ALICE, `2026-05-02T00:00:0${later}.000Z`, `order-later-${later}`);
        },
      );
      const expected = [...placed].sort(
        (a, b) =>
          (b.createdAt > a.createdAt ? 1 : b.createdAt < a.createdAt ? -1 : 0) ||
          (b.id > a.id ? 1 : -1),
      );
      expect(pages.flat()).toStrictEqual(expected);
      const key: OrderKey = { createdAt: "2000-01-01T00:00:00.000Z", id: "x" };
      expect(await store.listOrderPage(ALICE, { limit: 5, after: key })).toStrictEqual({
        items: [],
        next: undefined,
      });
      expect((await store.listOrderPage("nobody", { limit: 5 })).items).toEqual([]);
    });
  });
}
