import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve, sep } from "node:path";
import {
  contentTypeOf,
  IMMUTABLE,
  isHashedAsset,
  NO_CACHE,
  type SiteConfig,
} from "../http/site-files.js";

export interface StaticSiteOptions {
  /** The built storefront (`dist/web`): `index.html`, `assets/`, `images/`. */
  root: string;
  /**
   * The page's settings for a request: the dev server answers `/config.json` with its own
   * origin as the request named it (`localhost` or `127.0.0.1`), so the page stays same-origin.
   */
  config: (origin: string) => SiteConfig;
}

/** Serves one request when it is for the site; answers false to leave it to the API. */
export type StaticSite = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

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
export function createStaticSite(options: StaticSiteOptions): StaticSite {
  const root = resolve(options.root);

  return async (request, response) => {
    const target = request.url ?? "/";
    const queryAt = target.indexOf("?");
    const path = queryAt === -1 ? target : target.slice(0, queryAt);

    const config = options.config(`http://${request.headers.host ?? "127.0.0.1"}`);
    if (path === "/config.json") {
      const body = Buffer.from(JSON.stringify(config));
      send(request, response, { type: contentTypeOf(path), cache: REVALIDATE }, body);
      return true;
    }
    const html = {
      type: contentTypeOf("index.html"),
      cache: REVALIDATE,
      contentSecurityPolicy: contentSecurityPolicy(config),
    };

    const file = await findFile(root, path);
    if (file !== undefined) {
      const type = contentTypeOf(file);
      const headers: FileHeaders = type === html.type ? { ...html } : { type, cache: REVALIDATE };
      if (isHashedAsset(path)) headers.cache = IMMUTABLE;
      send(request, response, headers, await readFile(file));
      return true;
    }

    // A browser navigating to a page address (or reloading one) asks for HTML; an API client
    // asking for JSON at an unknown path gets the API's 404 problem instead.
    if (!(request.headers.accept ?? "").includes("text/html")) return false;
    const index = await findFile(root, "/index.html");
    if (index === undefined) return false;
    send(request, response, html, await readFile(index));
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

/**
 * The page's HTML may run scripts and styles of its own origin only: no inline script, no
 * eval, no framing; it may talk to its own origin and to the API, WebSocket and Cognito
 * endpoints its config names.
 */
function contentSecurityPolicy(config: SiteConfig): string {
  const origins = [config.apiUrl, config.websocketUrl, config.cognitoEndpoint].map(
    (url) => new URL(url).origin,
  );
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${[...new Set(origins)].join(" ")}`,
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

interface FileHeaders {
  type: string;
  cache: string;
  contentSecurityPolicy?: string;
}

function send(
  request: IncomingMessage,
  response: ServerResponse,
  file: FileHeaders,
  body: Buffer,
): void {
  const headers: Record<string, string | number> = {
    "Content-Type": file.type,
    "Content-Length": body.length,
    "Cache-Control": file.cache,
    "X-Content-Type-Options": "nosniff",
  };
  if (file.contentSecurityPolicy !== undefined) {
    headers["Content-Security-Policy"] = file.contentSecurityPolicy;
    headers["Referrer-Policy"] = "same-origin";
  }
  response.writeHead(200, headers);
  response.end(request.method === "HEAD" ? undefined : body);
}
