import { invalidCursor } from "../domain/index.js";

// The opaque `cursor` of a paginated list: the position after the page's last item, as JSON in
// base64url. Clients only hand back what a page answered; anything else is a 400 naming it.

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/** The position `cursor` holds, if `isPosition` accepts it; VALIDATION_FAILED otherwise. */
export function decodeCursor<T>(cursor: string, isPosition: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  if (!isPosition(value)) throw invalidCursor();
  return value;
}

/** A `[time, id]` position: where lists sorted newest first, ties by id, stopped. */
export const isTimeAndId = (value: unknown): value is [string, string] =>
  Array.isArray(value) &&
  value.length === 2 &&
  typeof value[0] === "string" &&
  typeof value[1] === "string";

/** Whether `item` comes after the `[time, id]` position in a newest-first, id-descending list. */
export const isAfter = (item: { time: string; id: string }, [time, id]: [string, string]) =>
  item.time < time || (item.time === time && item.id < id);

/** The first `limit` of `sorted` after `cursor`, and the cursor of what follows. */
export function pageOf<T>(
  sorted: readonly T[],
  keyOf: (item: T) => { time: string; id: string },
  query: { limit: number; cursor?: string | undefined },
): { items: T[]; nextCursor: string | null } {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isTimeAndId);
  const rest = after === undefined ? sorted : sorted.filter((item) => isAfter(keyOf(item), after));
  const items = rest.slice(0, query.limit);
  const last = items[items.length - 1];
  const more = rest.length > items.length && last !== undefined;
  return {
    items,
    nextCursor: more ? encodeCursor([keyOf(last).time, keyOf(last).id]) : null,
  };
}
