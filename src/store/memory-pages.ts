import { type CommentKey, newestFirst } from "../domain/index.js";
import type { Page, PageRequest } from "../services/index.js";

/**
 * The page of `items` after `page.after`, newest first (by `createdAt`, then `id`, both
 * descending), each copied by `copy`, and the key of its last item when more follow.
 */
export function newestFirstPage<Item extends CommentKey>(
  items: Iterable<Item>,
  page: PageRequest<CommentKey>,
  copy: (item: Item) => Item,
): Page<Item, CommentKey> {
  const after = page.after;
  const rest = [...items]
    .filter((item) => after === undefined || newestFirst(after, item) < 0)
    .sort(newestFirst);
  const shown = rest.slice(0, page.limit).map(copy);
  const last = shown.at(-1);
  const more = rest.length > page.limit && last !== undefined;
  return { items: shown, next: more ? { createdAt: last.createdAt, id: last.id } : undefined };
}

/** `items` after the key `after`, oldest first (by `createdAt`, then `id`, both ascending). */
export const oldestFirstAfter = <Item extends CommentKey>(
  items: Iterable<Item>,
  after: CommentKey | undefined,
): Item[] =>
  [...items]
    .filter(
      (item) =>
        after === undefined ||
        item.createdAt > after.createdAt ||
        (item.createdAt === after.createdAt && item.id > after.id),
    )
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || (a.id < b.id ? -1 : 1));

/**
 * The page of `items` after `page.after`, oldest first, each copied by `copy`, and the key of its
 * last item when more follow.
 */
export function oldestFirstPage<Item extends CommentKey>(
  items: Iterable<Item>,
  page: PageRequest<CommentKey>,
  copy: (item: Item) => Item,
): Page<Item, CommentKey> {
  const rest = oldestFirstAfter(items, page.after);
  const shown = rest.slice(0, page.limit).map(copy);
  const last = shown.at(-1);
  const more = rest.length > page.limit && last !== undefined;
  return { items: shown, next: more ? { createdAt: last.createdAt, id: last.id } : undefined };
}
