import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { AppError } from "../domain/index.js";
import type { OrderKey } from "./ports.js";
import "./zod-messages.js";

// Paged lists as clients see them: `limit` and an opaque `cursor` in, `nextCursor` out (GraphQL:
// `first` and `after`), the shoppers' lists and the operators' alike. A cursor is the store's
// position (a product id; an order's, a comment's or a stock adjustment's time and id) wrapped so
// that clients treat it as opaque and an edited one is refused as such: it grants nothing (every
// list is already scoped to the caller, public or the operators' only), so a checksum, not a
// signature, is enough. The list's name is inside, so one list's cursor is refused by another.

/** How many items a page holds when `limit` is not sent, and at most. */
export const PAGE_LIMITS = { defaultLimit: 20, maxLimit: 100 } as const;

export type ListName =
  | "products"
  | "orders"
  | "comments"
  | "stockAdjustments"
  | "allOrders"
  | "shippingQueue";

/** A page request as the query string carries it, before the cursor is opened. */
export interface PageInput {
  limit?: number | undefined;
  cursor?: string | undefined;
  /** The name of the cursor's field, for the refusal of a bad one: `cursor` unless given. */
  cursorField?: string | undefined;
}

/** What a client reads of a page. `nextCursor` is null on the last page. */
export interface PageOf<Item> {
  items: Item[];
  nextCursor: string | null;
}

// The schemas are `z.lazy`, built on their first parse, like the inputs' (inputs.ts says why).

const limitParam = () =>
  z.pipe(
    z.pipe(
      z.string().check(z.regex(/^[0-9]{1,9}$/, "must be a whole number")),
      z.transform(Number),
    ),
    z.int().check(z.gte(1), z.lte(PAGE_LIMITS.maxLimit)),
  );

/** `?limit=&cursor=` of a paged list, validated; other query parameters are ignored. */
export const pageQuery = z.lazy(() =>
  z.object({
    limit: z.optional(limitParam()),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
  }),
);

const productKey = z.lazy(() => z.string().check(z.minLength(1), z.maxLength(64)));
// An order's (in any list of orders), a comment's and a stock adjustment's position have the
// same shape: a time, an id.
const timeKey: z.ZodMiniType<OrderKey> = z.lazy(() =>
  z.object({
    createdAt: z.string().check(z.minLength(1), z.maxLength(64)),
    id: z.string().check(z.minLength(1), z.maxLength(64)),
  }),
);
const KEYS = {
  products: productKey,
  orders: timeKey,
  comments: timeKey,
  stockAdjustments: timeKey,
  allOrders: timeKey,
  shippingQueue: timeKey,
} as const;
type KeyOf<List extends ListName> = z.infer<(typeof KEYS)[List]>;

const checksum = (payload: string): string =>
  createHash("sha256").update(payload, "utf8").digest("base64url").slice(0, 12);

/** The opaque cursor of `key` in the list `list`. */
export function encodeCursor<List extends ListName>(list: List, key: KeyOf<List>): string {
  const payload = Buffer.from(JSON.stringify([list, key]), "utf8").toString("base64url");
  return `${payload}.${checksum(payload)}`;
}

const badCursor = (field: string) => (): AppError =>
  new AppError("VALIDATION_FAILED", `${field} is not a cursor this list answered`, {
    fields: [{ field, message: "must be a nextCursor this list answered, unchanged" }],
  });

/** The position `cursor` names in `list`; a 400 naming `field` for anything else. */
export function decodeCursor<List extends ListName>(
  list: List,
  cursor: string,
  field = "cursor",
): KeyOf<List> {
  const refuse = badCursor(field);
  const [payload, sum, ...rest] = cursor.split(".");
  if (payload === undefined || sum === undefined || rest.length > 0 || checksum(payload) !== sum) {
    throw refuse();
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== list) throw refuse();
  const key = KEYS[list].safeParse(decoded[1]);
  if (!key.success) throw refuse();
  return key.data as KeyOf<List>;
}

/** The store's page request for `input`: the limit (default applied) and the opened cursor. */
export function pageRequest<List extends ListName>(
  list: List,
  input: PageInput,
): { limit: number; after?: KeyOf<List> } {
  const limit = input.limit ?? PAGE_LIMITS.defaultLimit;
  if (input.cursor === undefined) return { limit };
  return { limit, after: decodeCursor(list, input.cursor, input.cursorField) };
}

/** GraphQL's `first` and `after`: the same page as REST's `limit` and `cursor`. */
export const graphqlPageArgs = z.lazy(() =>
  z.object({
    first: z.nullish(z.int().check(z.gte(1), z.lte(PAGE_LIMITS.maxLimit))),
    after: z.nullish(z.string().check(z.minLength(1), z.maxLength(512))),
  }),
);

/** The `nextCursor` of a store's page of `list`: null on the last page. */
export const nextCursorOf = <List extends ListName>(
  list: List,
  next: KeyOf<List> | undefined,
): string | null => (next === undefined ? null : encodeCursor(list, next));

/** The page input of validated GraphQL arguments; a bad `after` is refused naming `after`. */
export const pageInputOf = (args: z.infer<typeof graphqlPageArgs>): PageInput => ({
  ...(args.first === null || args.first === undefined ? {} : { limit: args.first }),
  ...(args.after === null || args.after === undefined
    ? {}
    : { cursor: args.after, cursorField: "after" }),
});
