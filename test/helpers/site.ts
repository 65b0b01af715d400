import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { runInNewContext } from "node:vm";
import { SPA_FALLBACK_CODE } from "../../src/deploy/site.js";
import type { SiteConfig } from "../../src/http/site-files.js";
import { createStaticSite } from "../../src/local/static-site.js";

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * Builds the storefront into `outDir` with the project's own build (and its budget check: it
 * fails above 50 KB of gzipped JavaScript); answers what the build printed.
 */
export async function buildSite(outDir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "scripts/build-web.ts", "--out-dir", outDir],
    { cwd: ROOT },
  );
  return stdout;
}

export interface SiteServer {
  /** `http://127.0.0.1:PORT`: the page's origin. */
  url: string;
  close(): Promise<void>;
}

/**
 * The built site alone on an origin of its own, as CloudFront serves it in AWS: its
 * `config.json` points the page at an API elsewhere.
 */
export async function serveSiteElsewhere(
  root: string,
  config: (origin: string) => SiteConfig,
): Promise<SiteServer> {
  const site = createStaticSite({ root, config, stripe: false });
  const server: Server = createServer((request, response) => {
    Promise.resolve(site(request, response))
      .then((served) => {
        if (!served) response.writeHead(404).end();
      })
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the deployed site's SPA fallback is given and answers: a CloudFront viewer request. */
export interface ViewerRequest {
  uri: string;
  method: string;
}

/**
 * The CloudFront Function's own code, run as CloudFront runs it: a global `handler` given the
 * viewer-request event, in a context of its own.
 */
export const spaFallback = runInNewContext(`${SPA_FALLBACK_CODE}; handler`) as (event: {
  request: ViewerRequest;
}) => ViewerRequest;
