import type Database from "better-sqlite3";
import type { Order, ProductWithComments } from "../../domain/index.js";
import type { OrderKey, Page, PageRequest } from "../../services/index.js";
import { CATALOGUE_COLUMNS, type CatalogueRow, type prepareComments } from "./comments.js";
import { ORDER_COLUMNS, type OrderRow, orderFromRow } from "./rows.js";

/**
 * The keyset queries of the paged lists: each page is found through an index from the last
 * key of the one before (never OFFSET, which reads every row it skips), so a page costs the
 * same at the end of a long list as at its start. One more row than asked says whether more follow.
 */
export function preparePages(db: Database.Database, comments: ReturnType<typeof prepareComments>) {
  // The shop's catalogue: archived products are the operators' only.
  const productsAfter = db.prepare<{ after: string; limit: number }, CatalogueRow>(
    `SELECT ${CATALOGUE_COLUMNS} FROM products WHERE archived = 0 AND id > @after ` +
      "ORDER BY id LIMIT @limit",
  );
  const firstOrders = db.prepare<{ userId: string; limit: number }, OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = @userId ` +
      "ORDER BY created_at DESC, id DESC LIMIT @limit",
  );
  const ordersAfter = db.prepare<OrderKey & { userId: string; limit: number }, OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = @userId ` +
      "AND (created_at, id) < (@createdAt, @id) ORDER BY created_at DESC, id DESC LIMIT @limit",
  );

  return {
    products(page: PageRequest<string>): Page<ProductWithComments, string> {
      // "" sorts before every id: the first page.
      const rows = productsAfter.all({ after: page.after ?? "", limit: page.limit + 1 });
      const items = comments.summarized(rows.slice(0, page.limit));
      return { items, next: rows.length > page.limit ? items.at(-1)?.id : undefined };
    },

    orders(userId: string, page: PageRequest<OrderKey>): Page<Order, OrderKey> {
      const limit = page.limit + 1;
      const rows =
        page.after === undefined
          ? firstOrders.all({ userId, limit })
          : ordersAfter.all({ userId, limit, createdAt: page.after.createdAt, id: page.after.id });
      const items = rows.slice(0, page.limit).map(orderFromRow);
      const last = items.at(-1);
      const more = rows.length > page.limit && last !== undefined;
      return { items, next: more ? { createdAt: last.createdAt, id: last.id } : undefined };
    },
  };
}
