/**
 * The storefront's files as HTTP serves them, the same from the dev server and from the site
 * bucket behind CloudFront: the page's runtime settings, each file's Content-Type, and how long
 * a hashed asset may be kept.
 */

/** The page's runtime settings (`/config.json`): never baked into its bundle. */
export interface SiteConfig {
  apiUrl: string;
  websocketUrl: string;
  region: string;
  userPoolClientId: string;
  cognitoEndpoint: string;
}

/** What the storefront's HTML sends as `Referrer-Policy`, from the dev server and CloudFront. */
export const STOREFRONT_REFERRER_POLICY = "same-origin";

/**
 * What Stripe.js needs of a page's policy (Stripe's integration security guide,
 * docs.stripe.com/security/guide, "Content Security Policy"): its script from js.stripe.com,
 * the Payment Element's frames from js.stripe.com and 3-D Secure's from hooks.stripe.com, and
 * calls to api.stripe.com. Admitted only when the shop takes payments with Stripe.
 */
export const STRIPE_JS_ORIGINS = {
  script: ["https://js.stripe.com"],
  frame: ["https://js.stripe.com", "https://hooks.stripe.com"],
  connect: ["https://api.stripe.com"],
} as const;

/** What the storefront's policy admits beyond its own origin and its endpoints. */
export interface StorefrontPolicyOptions {
  /** `PAYMENT_PROVIDER=stripe`: Stripe.js's script, frames and API (STRIPE_JS_ORIGINS). */
  stripe: boolean;
}

/**
 * The storefront's Content-Security-Policy, the same from the dev server and from CloudFront:
 * scripts and styles of its own origin only (no inline script, no eval), no framing, no
 * plugins; it may talk to its own origin and to `connectOrigins` (the API, the WebSocket API
 * and the Cognito endpoint). With `stripe`, Stripe.js's origins too, and only then. The
 * deployment passes origins with CloudFormation `${...}` placeholders, so nothing here may
 * contain `${`.
 */
export function storefrontContentSecurityPolicy(
  connectOrigins: readonly string[],
  { stripe }: StorefrontPolicyOptions,
): string {
  const sources = (own: readonly string[], fromStripe: readonly string[]) =>
    [...new Set([...own, ...(stripe ? fromStripe : [])])].join(" ");
  return [
    "default-src 'self'",
    `script-src ${sources(["'self'"], STRIPE_JS_ORIGINS.script)}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${sources(["'self'", ...connectOrigins], STRIPE_JS_ORIGINS.connect)}`,
    ...(stripe ? [`frame-src ${sources([], STRIPE_JS_ORIGINS.frame)}`] : []),
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

/** Vite's output names under `assets/` carry a content hash: a name never gets other bytes. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** Kept, but asked again (a cheap 304 through the ETag) before every use: a change shows at once. */
export const NO_CACHE = "no-cache";

/** Whether a site path (`assets/x.js` or `/assets/x.js`) is one of Vite's hashed files. */
export const isHashedAsset = (path: string): boolean => /^\/?assets\//.test(path);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  map: "application/json",
  webmanifest: "application/manifest+json",
  txt: "text/plain; charset=utf-8",
  xml: "application/xml",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/x-icon",
  woff: "font/woff",
  woff2: "font/woff2",
};

/** The Content-Type of a file by its extension. The distribution sends `nosniff`, so a script
 * or a style must be labelled exactly; an unknown extension is plain bytes. */
export function contentTypeOf(key: string): string {
  const name = key.slice(key.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  const extension = dot === -1 ? "" : name.slice(dot + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? "application/octet-stream";
}
