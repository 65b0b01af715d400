import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { buildDevServer } from "../../scripts/dev-server-bundle.js";
import { freePort } from "../helpers/free-port.js";
import { httpSuite } from "../helpers/http-suite.js";
import { createTestIssuer, type TestIssuer } from "../helpers/local-issuer.js";
import {
  cleanEnvironment,
  ROOT,
  type Running,
  startShell,
  waitUntil,
} from "../helpers/processes.js";

// The shared HTTP checks against the dev server as `npm start` runs it (src/local/main.ts bundled
// into dist/local/main.mjs, run by node alone), on its default SQLite store, in a shell without
// AWS settings.

describe("the HTTP suite against the dev server", () => {
  let issuer: TestIssuer;
  let dir: string;
  let server: Running;
  let baseUrl = "";

  beforeAll(async () => {
    issuer = await createTestIssuer();
    dir = await mkdtemp(join(tmpdir(), "store-http-dev-"));
    // The storefront is served from WEB_DIR; a page of one line stands in for the built one.
    await writeFile(join(dir, "index.html"), "<!doctype html><title>shop</title>");
    const port = await freePort();
    const bundle = await buildDevServer();
    server = startShell(`exec "${process.execPath}" --enable-source-maps "${bundle}"`, {
      cwd: ROOT,
      env: cleanEnvironment({
        ...issuer.env,
        PORT: String(port),
        DATA_DIR: dir,
        WEB_DIR: dir,
        PAYMENT_DELAY_MS: "0",
        LOG_REQUESTS: "false",
      }),
    });
    await waitUntil(server, "the dev server", async () => /listening on/.test(server.output()));
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await server?.stop();
    await issuer?.remove();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  httpSuite("dev-server", { rest: true, graphql: true }, () => ({
    baseUrl,
    // A user of the dev server's own pool, as a shopper signs up and in.
    newUser: async () => {
      const request = {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          email: `shopper-${randomUUID()}@example.com`,
          password: "correct horse battery",
        }),
      };
      const signup = await fetch(`${baseUrl}/auth/signup`, request);
      if (signup.status !== 202) throw new Error(`signup answered ${signup.status}`);
      const login = await fetch(`${baseUrl}/auth/login`, request);
      if (login.status !== 200) throw new Error(`login answered ${login.status}`);
      return ((await login.json()) as { accessToken: string }).accessToken;
    },
  }));
});
