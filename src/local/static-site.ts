import { readFile, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import {
  contentTypeOf,
  IMMUTABLE,
  isHashedAsset,
  NO_CACHE,
  type SiteConfig,
  storefrontContentSecurityPolicy,
} from "../http/site-files.js";
import { type BytesHeaders, type LocalHandler, sendBytes, splitTarget } from "./plain-http.js";

export interface StaticSiteOptions {
  /** The built storefront (`dist/web`): `index.html`, `assets/`, `images/`. */
  root: string;
  /**
   * The page's settings for a request: the dev server answers `/config.json` with its own
   * origin as the request named it (`localhost` or `127.0.0.1`), so the page stays same-origin.
   */
  config: (origin: string) => SiteConfig;
  /** Whether the shop takes payments with Stripe: the page's policy then admits Stripe.js. */
  stripe: boolean;
}

/**
 * Unhashed files (index.html, config.json, images) are revalidated on every use here: a rebuild
 * or an edited image shows at the next reload. (The site bucket keeps images for an hour.)
 */
const REVALIDATE = NO_CACHE;

/**
 * The storefront on the dev server, from the API's origin: a file of the built site when one
 * exists, `index.html` for any other page address a browser navigates to (the page's router
 * draws it, or its own 404), and nothing for the rest, which the API answers (JSON, problems).
 * Only asked about GET and HEAD of paths that no API route matches, so page and API addresses
 * never collide.
 */
export function createStaticSite(options: StaticSiteOptions): LocalHandler {
  const root = resolve(options.root);

  return async (request, response) => {
    const { path } = splitTarget(request.url ?? "/");

    const config = options.config(`http://${request.headers.host ?? "127.0.0.1"}`);
    if (path === "/config.json") {
      const body = Buffer.from(JSON.stringify(config));
      sendBytes(request, response, { type: contentTypeOf(path), cache: REVALIDATE }, body);
      return true;
    }
    const html = {
      type: contentTypeOf("index.html"),
      cache: REVALIDATE,
      contentSecurityPolicy: contentSecurityPolicy(config, options.stripe),
    };

    const file = await findFile(root, path);
    if (file !== undefined) {
      const type = contentTypeOf(file);
      const headers: BytesHeaders = type === html.type ? { ...html } : { type, cache: REVALIDATE };
      if (isHashedAsset(path)) headers.cache = IMMUTABLE;
      sendBytes(request, response, headers, await readFile(file));
      return true;
    }

    // A browser navigating to a page address (or reloading one) asks for HTML; an API client
    // asking for JSON at an unknown path gets the API's 404 problem instead.
    if (!(request.headers.accept ?? "").includes("text/html")) return false;
    const index = await findFile(root, "/index.html");
    if (index === undefined) return false;
    sendBytes(request, response, html, await readFile(index));
    return true;
  };
}

/** The regular file `path` names inside `root`; never one outside it, whatever the path says. */
async function findFile(root: string, path: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const relative = decoded === "/" ? "index.html" : decoded.slice(1);
  const file = resolve(join(root, relative));
  if (!file.startsWith(root + sep)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** The storefront's policy, with the origins of the endpoints the page's config names. */
const contentSecurityPolicy = (config: SiteConfig, stripe: boolean): string =>
  storefrontContentSecurityPolicy(
    [config.apiUrl, config.websocketUrl, config.cognitoEndpoint].map((url) => new URL(url).origin),
    { stripe },
  );
