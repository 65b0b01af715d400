import { auditServer } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/compose/index.js";
import type { DevServer } from "../../src/local/dev-server.js";
import { startLoopbackServer } from "../helpers/loopback-server.js";

// The GraphQL-over-HTTP audit suite that ships with graphql-http, against both GraphQL paths.
describe("GraphQL over HTTP: graphql-http's server audits", () => {
  let app: App;
  let server: DevServer;

  beforeAll(async () => {
    ({ app, server } = await startLoopbackServer({ STORE: "memory" }));
  });

  afterAll(async () => {
    await server?.close();
    await app?.close();
  });

  it.each(["/graphql", "/query"])("passes every audit at %s, with no warning", async (path) => {
    const results = await auditServer({ url: `${server.url}${path}` });
    const notOk = results
      .filter((result) => result.status !== "ok")
      .map(
        (result) =>
          `${result.status} ${result.id} ${result.name}: ${"reason" in result ? result.reason : ""}`,
      );
    expect(notOk).toEqual([]);
    expect(results.length).toBeGreaterThan(40);
  });
});
