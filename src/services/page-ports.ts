// A page of a store's list, as every store port reads one: its own file so that the port files
// (ports.ts, comment-ports.ts) both import it and never each other.

/**
 * A page of a list: at most `limit` items after the item whose key is `after` (the first page
 * without it). Keys are the store's own positions; services turn them into opaque cursors.
 */
export interface PageRequest<Key> {
  limit: number;
  after?: Key | undefined;
}

export interface Page<Item, Key> {
  items: Item[];
  /**
   * The key of the last item when more may follow; undefined on the last page. A page may hold
   * fewer than `limit` items and still have a `next` (the page after it may then be empty).
   */
  next: Key | undefined;
}
