import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startPerTest, type TestApp } from "../../helpers/app.js";
import { startDevServerProcess } from "../../helpers/dev-server-process.js";
import { freePort } from "../../helpers/free-port.js";
import { doublingFragments, nestedList } from "../../helpers/graphql-abuse.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

const GRAPHQL_RESPONSE = "application/graphql-response+json";

const gql = (query: string, variables?: object) =>
  t.invoke({
    method: "POST",
    resource: "/graphql",
    headers: { Accept: GRAPHQL_RESPONSE },
    body: { query, ...(variables === undefined ? {} : { variables }) },
  });

describe("GraphQL under abuse", () => {
  it("refuses fragments that spread each other twice per level, naming the spread limit", async () => {
    await start();
    for (const levels of [21, 40]) {
      const res = await gql(doublingFragments(levels));
      expect(res.statusCode).toBe(400);
      expect(res.json.errors).toEqual([
        {
          message: `the document has ${2 * levels + 1} fragment spreads; the limit is 32`,
          extensions: { code: "TOO_MANY_FRAGMENT_SPREADS" },
        },
      ]);
    }
    const fewer = await gql(doublingFragments(4));
    expect(fewer.json).toEqual({ data: { __typename: "Query" } });
  });

  it("suggests no field, argument or input field names when introspection is off", async () => {
    await start({ env: { GRAPHQL_INTROSPECTION: "false" } });
    const field = await gql("{ prodcts { items { id } } }");
    expect(field.statusCode).toBe(400);
    expect(field.json.errors[0].message).toBe('Cannot query field "prodcts" on type "Query".');
    // Variables are coerced at execution, which suggests names of its own.
    const variables = await gql(
      "mutation Save($lines: [CartLineInput!]!) { saveCart(products: $lines) { promotionCode } }",
      { lines: [{ cod: "lonely-bird", quantity: 1 }] },
    );
    expect(variables.statusCode).toBe(400);
    expect(variables.body).not.toMatch(/did you mean/i);
    expect(variables.json.errors.map((e: { message: string }) => e.message)).toContain(
      'Variable "$lines" got invalid value { cod: "lonely-bird", quantity: 1 } at "lines[0]"; Field "cod" is not defined by type "CartLineInput".',
    );
    await t.close();
    await start();
    const open = await gql("{ prodcts { items { id } } }");
    expect(open.json.errors[0].message).toMatch(/Did you mean "products"/);
  });

  it("answers 400 to a list literal 2,000 brackets deep on a freshly started dev server", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "store-graphql-cold-"));
    const server = await startDevServerProcess({
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
    });
    try {
      // The first GraphQL request of the process: graphql-js and the route run cold.
      const res = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: GRAPHQL_RESPONSE },
        body: JSON.stringify({ query: nestedList(2000) }),
      });
      const body = await res.text();
      expect(res.status).toBe(400);
      expect(JSON.parse(body).errors[0].extensions.code).toBe("QUERY_TOO_NESTED");
      expect(body).not.toMatch(/RangeError|call stack|node_modules/);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
