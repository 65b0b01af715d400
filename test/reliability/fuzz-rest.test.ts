import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES, routeKey } from "../../src/http/index.js";
import { buildOpenApi } from "../../src/http/openapi.js";
import { SEED_PRODUCTS } from "../../src/store/index.js";
import { apiEvent } from "../helpers/api-event.js";
import { FUZZ_SEED, recordFigure, runsOf } from "./figures.js";
import {
  headerOf,
  leaksIn,
  measured,
  type SqliteApp,
  sentText,
  startSqliteApp,
} from "./harness.js";
import {
  type GeneratedRequest,
  hostileString,
  type OpenApiDocument,
  requestFor,
  sizeOf,
} from "./rest-arbitraries.js";

// Every REST operation, fuzzed in-process against the composed app on SQLite: the operations
// are read from the OpenAPI document (itself derived from the route table), so a new route is
// fuzzed without touching this file. Properties: never a 5xx, every refusal problem+json (or,
// on the GraphQL routes, a GraphQL errors array), nothing internal in any answer, and under
// 100 ms of server CPU for any request under 8 KiB.

const MAX_INPUT_BYTES = 8 * 1024;
const CPU_BUDGET_MS = 100;
const doc = buildOpenApi(ROUTES) as unknown as OpenApiDocument;
const METHODS = new Set(["get", "post", "put", "patch", "delete", "options"]);
const operations = Object.entries(doc.paths).flatMap(([resource, ops]) =>
  Object.keys(ops)
    .filter((method) => METHODS.has(method))
    .map((method) => [method.toUpperCase(), resource] as const),
);
const perOperation = runsOf(Math.max(4, Math.ceil(300 / operations.length)), 1 / operations.length);

let s: SqliteApp;
const knownIds: string[] = SEED_PRODUCTS.map((product) => product.id);
const cpu: number[] = [];
const statuses = new Map<number, number>();
let overBudget: { cpuMs: number; what: string }[] = [];

beforeAll(async () => {
  s = await startSqliteApp();
  await s.t.saveCart(s.shopper.token, [["lonely-bird", 1]]);
  const placed = await s.t.checkout(s.shopper.token, "fuzz-first-order");
  knownIds.push(placed.json.id, "WELCOME10");
  // Work done once per process, not per request: GraphQL's schema and the OpenAPI document are
  // built on their first use (a cold start's cost, measured in BENCHMARKS.md).
  for (const warmUp of [
    { method: "POST", resource: "/graphql", body: { query: "{ __typename }" } },
    { method: "GET", resource: "/openapi.json" },
  ]) {
    const { cpuMs } = await measured(s.t.handler, apiEvent(warmUp));
    recordFigure(
      `first_${warmUp.resource.slice(1).replace(/\W/g, "_")}_cpu_ms`,
      cpuMs.toFixed(1),
      "ms",
    );
  }
});

afterAll(async () => {
  await s?.close();
  const max = Math.max(0, ...cpu);
  recordFigure("rest_fuzz_requests", cpu.length);
  recordFigure("rest_fuzz_operations", operations.length);
  recordFigure("rest_fuzz_max_cpu_ms", max.toFixed(1), "ms");
  recordFigure("rest_fuzz_over_100ms", overBudget.length);
  recordFigure(
    "rest_fuzz_statuses",
    [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}:${n}`)
      .join(" "),
  );
});

const tokenOf = (as: GeneratedRequest["as"]): string | undefined =>
  as === "shopper" ? s.shopper.token : as === "operator" ? s.operator.token : undefined;

async function check(request: GeneratedRequest): Promise<void> {
  const token = tokenOf(request.as);
  const event = apiEvent({ ...request, ...(token === undefined ? {} : { token }) });
  const { result, cpuMs } = await measured(s.t.handler, event);
  cpu.push(cpuMs);
  statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
  const what = `${event.httpMethod} ${event.path} (${result.statusCode})`;
  if (cpuMs >= CPU_BUDGET_MS) overBudget.push({ cpuMs, what });

  expect(result.statusCode, `${what}: ${result.body.slice(0, 300)}`).toBeLessThan(500);
  expect(leaksIn(result.body, sentText(event)), what).toEqual([]);
  const type = headerOf(result, "content-type") ?? "";
  const graphql = event.resource === "/graphql" || event.resource === "/query";
  if (event.httpMethod === "HEAD") {
    // HEAD answers as GET would, without the body.
    expect(result.body, what).toBe("");
  } else if (result.statusCode >= 400 && type.startsWith("application/problem+json")) {
    const problem = JSON.parse(result.body);
    expect(problem, what).toMatchObject({
      status: result.statusCode,
      code: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
  } else if (result.statusCode >= 400) {
    // Only GraphQL answers a refusal in its own shape.
    expect(graphql, `${what} is not problem+json: ${type}`).toBe(true);
    const body = JSON.parse(result.body);
    expect(body.errors, what).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]),
    );
  }
  if (graphql && result.statusCode === 200 && result.body !== "") {
    const body = JSON.parse(result.body);
    for (const error of body.errors ?? []) expect(error.message, what).toEqual(expect.any(String));
  }
}

describe("fuzzing every REST operation (in-process, SQLite)", () => {
  it("the OpenAPI document lists exactly the operations of the route table", () => {
    const documented = operations
      .filter(([method]) => method !== "OPTIONS")
      .map(([m, r]) => `${m} ${r}`);
    expect(documented.sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it.each(operations)("%s %s", async (method, resource) => {
    overBudget = [];
    await fc.assert(
      fc.asyncProperty(
        requestFor(doc, resource, method, knownIds).filter((r) => sizeOf(r) < MAX_INPUT_BYTES),
        check,
      ),
      { seed: FUZZ_SEED, numRuns: perOperation },
    );
    expect(overBudget, "requests over 100 ms of server CPU").toEqual([]);
  });

  it("any other path through the catch-all resource: a 404 or 405 problem", async () => {
    const path = fc
      .array(fc.oneof(hostileString(20), fc.constantFrom("products", "admin", "cart", "graphql")), {
        minLength: 1,
        maxLength: 6,
      })
      .map((parts) => `/${parts.map(encodeURIComponent).join("/")}`);
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO"),
        async (p, method) => {
          let decoded: string;
          try {
            decoded = decodeURIComponent(p);
          } catch {
            decoded = p;
          }
          await check({
            method,
            resource: "/{proxy+}",
            path: p,
            pathParameters: { proxy: decoded.slice(1) },
            as: "anonymous",
          });
        },
      ),
      { seed: FUZZ_SEED, numRuns: runsOf(40, 0.05) },
    );
  });
});
