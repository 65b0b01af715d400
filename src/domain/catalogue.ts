import { AppError } from "./errors.js";

/** A product of the catalogue. Prices are integer cents, always. */
export interface Product {
  id: string;
  name: string;
  description: string;
  imageUrl: string;
  priceCents: number;
  stock: number;
}

export interface Comment {
  id: string;
  productId: string;
  /** Display name of the author, taken from the signed-in user, never from the request. */
  author: string;
  /** 1 to 5. */
  rating: number;
  text: string;
  createdAt: string;
}

/** A product as the catalogue shows it: its comments summed up, and only the latest few. */
export interface ProductWithComments extends Product {
  /** The latest `COMMENT_LIMITS.latestShown` comments, newest first; the rest are paged apart. */
  comments: Comment[];
  /** How many comments the product has, and the sum of their ratings. */
  commentCount: number;
  ratingTotal: number;
}

/** Where a comment sits in its product's list (newest first): the key of a page's cursor. */
export interface CommentKey {
  createdAt: string;
  id: string;
}

export interface RatingSummary {
  /** Mean of the ratings rounded to one decimal, or null when nobody rated the product. */
  average: number | null;
  count: number;
}

export const MIN_RATING = 1;
export const MAX_RATING = 5;

/**
 * How much one user may comment, so that one account cannot flood a product or the catalogue:
 * `perMinute` comments in a calendar minute (UTC) in all, and `perProductPerDay` on one product
 * in a calendar day (UTC). Every store counts in itself, so the limits hold across instances.
 */
export const COMMENT_LIMITS = {
  maxTextLength: 2_000,
  perMinute: 5,
  perProductPerDay: 3,
  /** The comments a product of the catalogue carries; the rest are read a page at a time. */
  latestShown: 3,
} as const;

/** A fixed window of time a comment counts in: from `start` (inclusive) to `end` (exclusive). */
export interface CommentWindow {
  start: string;
  end: string;
  /** Whole seconds from the comment's time to the window's end: a refusal's `Retry-After`. */
  retryAfterSeconds: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function windowOf(atMs: number, lengthMs: number): CommentWindow {
  const startMs = Math.floor(atMs / lengthMs) * lengthMs;
  const endMs = startMs + lengthMs;
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((endMs - atMs) / 1000)),
  };
}

/** The minute and the day a comment made at `createdAt` (ISO 8601) counts in. */
export function commentWindows(createdAt: string): { minute: CommentWindow; day: CommentWindow } {
  const atMs = Date.parse(createdAt);
  return { minute: windowOf(atMs, MINUTE_MS), day: windowOf(atMs, DAY_MS) };
}

/** The ratings of `count` comments summing to `total`, as clients see them. */
export function summarizeRatings(count: number, total: number): RatingSummary {
  if (count === 0) return { average: null, count: 0 };
  return { average: Math.round((total * 10) / count) / 10, count };
}

/** The latest few of `comments`, newest first (ties by id, as the stores' keys sort). */
export function latestComments(comments: readonly Comment[]): Comment[] {
  return [...comments].sort(newestFirst).slice(0, COMMENT_LIMITS.latestShown);
}

/** Newest first; comments of the same instant by id, descending. */
export const newestFirst = (a: CommentKey, b: CommentKey): number =>
  a.createdAt === b.createdAt
    ? a.id < b.id
      ? 1
      : a.id > b.id
        ? -1
        : 0
    : a.createdAt < b.createdAt
      ? 1
      : -1;

/** A product as its operators see it: archived ones too (they left the catalogue). */
export interface ManagedProduct extends Product {
  archived: boolean;
}

/** Why a product's stock changed by hand: received goods count up, written-off goods down. */
export const STOCK_REASONS = [
  "initial",
  "restock",
  "returned",
  "correction",
  "damaged",
  "lost",
] as const;
export type StockReason = (typeof STOCK_REASONS)[number];

/**
 * One change of a product's stock by an operator, kept as an audit trail. Positive `delta`s are
 * units received, negative ones written off; with the units orders took and gave back they
 * explain every unit: stock + units in live orders = received - written off.
 */
export interface StockAdjustment {
  id: string;
  productId: string;
  delta: number;
  reason: StockReason;
  note?: string;
  /** Who made it: the operator's display name from the token. */
  actor: string;
  createdAt: string;
  /** The product's stock right after this adjustment. */
  stockAfter: number;
}

/** Operator figures of one product. */
export interface ProductFigures {
  productId: string;
  /** Units in shoppers' carts (users' and unexpired guests') right now. */
  unitsInCarts: number;
  /** Units of orders placed in the last 24 hours / 7 days that still hold their stock. */
  unitsSold24h: number;
  unitsSold7d: number;
}

/** What an operator asks to upload: an image of `contentType`, `bytes` long. */
export interface ImageUploadRequest {
  contentType: string;
  bytes: number;
}

/** Where and how to send the image (one PUT of exactly those bytes), and its address after. */
export interface ImageUpload {
  uploadUrl: string;
  method: "PUT";
  /** Headers the PUT must carry as given (they are part of its signature). */
  headers: Record<string, string>;
  /** The product's `imageUrl` once uploaded. */
  imageUrl: string;
  expiresAt: string;
}

/** What an operator may upload as a product image: its types and its largest size. */
export const IMAGE_UPLOADS = {
  contentTypes: ["image/png", "image/jpeg", "image/webp"],
  maxBytes: 1024 * 1024,
} as const;
export type ImageContentType = (typeof IMAGE_UPLOADS.contentTypes)[number];

const IMAGE_EXTENSIONS: Readonly<Record<ImageContentType, string>> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
};

/**
 * The file extension an upload of `contentType` and `bytes` is stored under; VALIDATION_FAILED
 * for another type, an empty file or one over the limit. Every upload adapter checks here.
 */
export function imageExtensionOf(upload: { contentType: string; bytes: number }): string {
  const extension = (IMAGE_EXTENSIONS as Record<string, string | undefined>)[upload.contentType];
  if (extension === undefined || upload.bytes < 1 || upload.bytes > IMAGE_UPLOADS.maxBytes) {
    throw new AppError("VALIDATION_FAILED", "an image must be PNG, JPEG or WebP, at most 1 MiB", {
      fields: [
        { field: extension === undefined ? "contentType" : "bytes", message: "not allowed" },
      ],
    });
  }
  return extension;
}

/**
 * Refuses an adjustment whose sign contradicts its reason: goods received or returned count up,
 * damaged or lost ones down; a correction goes either way. Zero changes nothing and is refused.
 */
export function assertAdjustment(reason: StockReason, delta: number): void {
  const wrong =
    delta === 0
      ? "must not be 0"
      : (reason === "restock" || reason === "returned" || reason === "initial") && delta < 0
        ? `must be positive for ${reason}`
        : (reason === "damaged" || reason === "lost") && delta > 0
          ? `must be negative for ${reason}`
          : undefined;
  if (wrong !== undefined) {
    throw new AppError("VALIDATION_FAILED", `invalid body: delta ${wrong}`, {
      fields: [{ field: "delta", message: wrong }],
    });
  }
}
