import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, loadConfig } from "../../src/compose/index.js";
import type { DevServer } from "../../src/local/dev-server.js";
import { createGraphiql } from "../../src/local/graphiql.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { startLoopbackServer } from "../helpers/loopback-server.js";

// GraphiQL as a person meets it on the dev server: GET /graphql from a browser is the IDE, built
// from the installed packages only (no network here), and it works against the API beside it.

describe("GraphiQL on the dev server", () => {
  let app: App;
  let server: DevServer;

  beforeAll(async () => {
    const graphiql = createGraphiql();
    ({ app, server } = await startLoopbackServer(
      { STORE: "memory", LOG_REQUESTS: "false" },
      { server: { firstHandlers: graphiql === undefined ? [] : [graphiql] } },
    ));
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
  });

  const get = (path: string, accept: string) =>
    fetch(`${server.url}${path}`, { headers: { Accept: accept } });

  it("answers a browser at GET /graphql and /query with the IDE, under its own CSP", async () => {
    for (const path of ["/graphql", "/query"]) {
      const answer = await get(path, "text/html,application/xhtml+xml,*/*;q=0.8");
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const csp = answer.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(await answer.text()).toContain('<script src="/graphiql/graphiql.js"></script>');
    }
    const script = await get("/graphiql/graphiql.js", "*/*");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  });

  it("leaves GraphQL itself to the API: a query in the URL, JSON clients, POST", async () => {
    const inUrl = await get("/graphql?query=%7B__typename%7D", "text/html");
    expect(inUrl.headers.get("content-type")).toMatch(/json/);
    expect(await inUrl.json()).toEqual({ data: { __typename: "Query" } });

    const json = await get("/graphql", "application/json");
    expect(json.headers.get("content-type")).not.toMatch(/html/);

    const post = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/html" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(await post.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("is not offered under NODE_ENV=production, nor without introspection", () => {
    expect(loadConfig({ PORT: "0" }).graphiql).toBe(true);
    expect(loadConfig({ PORT: "0", NODE_ENV: "production" }).graphiql).toBe(false);
    expect(loadConfig({ PORT: "0", GRAPHQL_INTROSPECTION: "false" }).graphiql).toBe(false);
  });

  it.skipIf(!chromiumAvailable())(
    "in Chromium: loads the schema by introspection and runs a query typed into it",
    async () => {
      const browser: Browser = await launchChromium();
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      const introspection = page.waitForResponse(
        (response) =>
          response.url() === `${server.url}/graphql` &&
          (response.request().postData() ?? "").includes("__schema"),
      );
      await page.goto(`${server.url}/graphql`);
      expect((await introspection).status()).toBe(200);

      await page.locator(".graphiql-query-editor .CodeMirror").click();
      await page.keyboard.press("Control+A");
      await page.keyboard.press("Delete");
      await page.keyboard.type('{ product(id: "lonely-bird") { name priceCents');
      // Close the field suggestions GraphiQL offers from the schema it introspected.
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: /Execute query/ }).click();
      const result = () => page.locator(".graphiql-response").textContent();
      await expect.poll(result, { timeout: 15_000 }).toMatch(/"name": "Lonely Bird"/);
      expect(await result()).toMatch(/"priceCents": 2999/);
      expect(problems).toEqual([]);
      await browser.close();
    },
    60_000,
  );
});
