import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/compose/index.js";
import type { DevServer } from "../../src/local/dev-server.js";
import { createStaticSite } from "../../src/local/static-site.js";
import { startLoopbackServer } from "../helpers/loopback-server.js";

const INDEX = '<!doctype html><html lang="en"><title>shop</title><div id="app"></div></html>';
const HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

describe("the storefront on the dev server, beside the API", () => {
  let webDir: string;
  let app: App;
  let server: DevServer;

  beforeAll(async () => {
    webDir = await mkdtemp(join(tmpdir(), "store-web-"));
    await mkdir(join(webDir, "assets"));
    await mkdir(join(webDir, "images"));
    await writeFile(join(webDir, "index.html"), INDEX);
    await writeFile(join(webDir, "assets", "index-Ab12Cd.js"), "console.log(1)");
    await writeFile(join(webDir, "images", "lonely-bird.svg"), "<svg/>");
    await writeFile(join(tmpdir(), "store-web-secret.txt"), "outside the site");
    ({ app, server } = await startLoopbackServer(
      { STORE: "memory", LOG_REQUESTS: "false" },
      {
        server: {
          site: createStaticSite({
            stripe: false,
            root: webDir,
            config: (origin) => ({
              apiUrl: origin,
              websocketUrl: `${origin.replace("http", "ws")}/notifications`,
              region: "local",
              userPoolClientId: "serverless-store-local",
              cognitoEndpoint: `${origin}/cognito`,
            }),
          }),
        },
      },
    ));
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
    if (webDir !== undefined) await rm(webDir, { recursive: true, force: true });
  });

  const get = (path: string, accept = HTML, method = "GET") =>
    fetch(`${server.url}${path}`, { method, headers: { Accept: accept } });

  it("answers the shop at / with a strict Content-Security-Policy and no cache", async () => {
    const answer = await get("/");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(answer.headers.get("cache-control")).toBe("no-cache");
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = answer.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain(`connect-src 'self' ${server.url} ${server.url.replace("http", "ws")}`);
    expect(await answer.text()).toBe(INDEX);
  });

  it("gives a browser the page at any page address, reloads included", async () => {
    for (const path of ["/item/lonely-bird", "/basket", "/account/orders/abc?x=1", "/nowhere"]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(200);
      expect(await answer.text(), path).toBe(INDEX);
    }
  });

  it("leaves every API address to the API, whatever the client accepts", async () => {
    const products = await get("/products");
    expect(products.status).toBe(200);
    expect(products.headers.get("content-type")).toMatch(/^application\/json/);
    expect(Array.isArray(((await products.json()) as { items: unknown }).items)).toBe(true);

    const product = await get("/products/lonely-bird");
    expect(product.headers.get("content-type")).toMatch(/^application\/json/);

    const cart = await get("/cart");
    expect(cart.status).toBe(401);
    expect(cart.headers.get("content-type")).toBe("application/problem+json");
  });

  it("answers an API client at an unknown address with the API's 404 problem, not the page", async () => {
    const answer = await get("/item/lonely-bird", "application/json");
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(((await answer.json()) as { code: string }).code).toBe("NOT_FOUND");
  });

  it("serves hashed assets for a year and other files for revalidation, with their types", async () => {
    const script = await get("/assets/index-Ab12Cd.js", "*/*");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(script.headers.get("content-security-policy")).toBeNull();

    const image = await get("/images/lonely-bird.svg", "image/*");
    expect(image.headers.get("content-type")).toBe("image/svg+xml");
    expect(image.headers.get("cache-control")).toBe("no-cache");

    const head = await get("/assets/index-Ab12Cd.js", "*/*", "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("14");
    expect(await head.text()).toBe("");
  });

  it("answers /config.json from the server's own origin as the request named it", async () => {
    const answer = await get("/config.json", "application/json");
    expect(answer.headers.get("cache-control")).toBe("no-cache");
    expect(await answer.json()).toEqual({
      apiUrl: server.url,
      websocketUrl: `${server.url.replace("http", "ws")}/notifications`,
      region: "local",
      userPoolClientId: "serverless-store-local",
      cognitoEndpoint: `${server.url}/cognito`,
    });
  });

  it("never serves a file outside the site, however the path is spelt", async () => {
    for (const path of [
      "/../store-web-secret.txt",
      "/%2e%2e/store-web-secret.txt",
      "/assets/..%2f..%2fstore-web-secret.txt",
      "/%00index.html",
      "/%E0%A4%A",
    ]) {
      const answer = await rawGet(path);
      expect(answer.body, path).not.toContain("outside the site");
    }
  });

  it("does not take over the API's other methods at page addresses", async () => {
    const answer = await fetch(`${server.url}/basket`, {
      method: "POST",
      headers: { Accept: HTML, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
  });

  /** A GET with the path exactly as written: fetch would normalise `..` away. */
  function rawGet(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${server.url}/`, { path, headers: { Accept: "*/*" } });
      request.on("response", (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => {
          body += chunk.toString("utf8");
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on("error", reject);
      request.end();
    });
  }
});
