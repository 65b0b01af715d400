import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schema } from "../../src/graphql/schema.js";
import { SEED_PRODUCTS } from "../../src/store/index.js";
import { apiEvent } from "../helpers/api-event.js";
import { FUZZ_SEED, recordFigure, runsOf } from "./figures.js";
import { graphqlDocument } from "./graphql-arbitraries.js";
import { leaksIn, measured, type SqliteApp, sentText, startSqliteApp } from "./harness.js";

// GraphQL fuzzed within the schema's grammar (graphql-arbitraries.ts), in-process on SQLite, as
// an anonymous caller, a shopper and an operator, over POST and GET: never a 5xx, an answer
// with `data` or an `errors` array of messages, nothing internal, under 100 ms of server CPU.

const CPU_BUDGET_MS = 100;
const MAX_INPUT_BYTES = 8 * 1024;

let s: SqliteApp;
const knownIds: string[] = SEED_PRODUCTS.map((product) => product.id);
const cpu: number[] = [];
const overBudget: { cpuMs: number; query: string }[] = [];
let executed = 0;

beforeAll(async () => {
  s = await startSqliteApp();
  await s.t.saveCart(s.shopper.token, [["morning-fog", 1]]);
  const placed = await s.t.checkout(s.shopper.token, "graphql-fuzz-order");
  knownIds.push(placed.json.id, "WELCOME10");
  // The executor and schema load on the first GraphQL request: a cold start, not a request's work.
  await s.t.handler(
    apiEvent({ method: "POST", resource: "/graphql", body: { query: "{ __typename }" } }),
  );
});

afterAll(async () => {
  await s?.close();
  recordFigure("graphql_fuzz_requests", cpu.length);
  recordFigure("graphql_fuzz_executed", executed);
  recordFigure("graphql_fuzz_max_cpu_ms", Math.max(0, ...cpu).toFixed(1), "ms");
  recordFigure("graphql_fuzz_over_100ms", overBudget.length);
});

describe("fuzzing GraphQL within its grammar (in-process, SQLite)", () => {
  it("never fails, leaks or burns CPU on a generated document", async () => {
    const request = fc.record({
      document: graphqlDocument(schema, knownIds),
      as: fc.constantFrom("anonymous", "shopper", "operator"),
      overGet: fc.boolean(),
      path: fc.constantFrom("/graphql", "/query"),
    });
    await fc.assert(
      fc.asyncProperty(
        request.filter((r) => Buffer.byteLength(JSON.stringify(r.document)) < MAX_INPUT_BYTES),
        async ({ document, as, overGet, path }) => {
          const token =
            as === "shopper" ? s.shopper.token : as === "operator" ? s.operator.token : undefined;
          const event = apiEvent({
            method: overGet ? "GET" : "POST",
            resource: path,
            ...(overGet
              ? { query: { query: document.query, variables: JSON.stringify(document.variables) } }
              : { body: document }),
            ...(token === undefined ? {} : { token }),
          });
          const { result, cpuMs } = await measured(s.t.handler, event);
          cpu.push(cpuMs);
          if (cpuMs >= CPU_BUDGET_MS) overBudget.push({ cpuMs, query: document.query });
          const what = `${event.httpMethod} ${document.query} -> ${result.statusCode}`;
          expect(result.statusCode, `${what}: ${result.body.slice(0, 300)}`).toBeLessThan(500);
          expect(leaksIn(result.body, sentText(event)), what).toEqual([]);
          const body = JSON.parse(result.body);
          // The executor answers 200 once execution started (resolvers ran), 400 when refused before.
          if (result.statusCode === 200) executed += 1;
          if (result.statusCode >= 400 || body.data === undefined || body.data === null) {
            expect(body.errors?.length ?? 0, what).toBeGreaterThan(0);
          }
          for (const error of body.errors ?? []) {
            expect(error.message, what).toEqual(expect.any(String));
            expect(Object.keys(error.extensions ?? {}), what).not.toContain("stacktrace");
          }
        },
      ),
      { seed: FUZZ_SEED, numRuns: runsOf(200, 0.5) },
    );
    expect(overBudget, "GraphQL requests over 100 ms of server CPU").toEqual([]);
  });
});
