import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiEvent } from "../helpers/api-event.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { FUZZ_SEED, recordFigure, runsOf } from "./figures.js";
import { leaksIn, measured, sentText } from "./harness.js";

// Documents under 8 KiB shaped to make the server work hard, each answered without
// a 5xx and in under 100 ms of server CPU, and no field suggestions with introspection off.

const CPU_BUDGET_MS = 100;
const MAX_INPUT_BYTES = 8 * 1024;

/** `query{...F0} fragment F0 on Query{...F1 ...F1} ... fragment Fn on Query{__typename}`. */
function fragmentChain(levels: number, fanOut: number): string {
  const parts = ["query{...F0}"];
  for (let i = 0; i < levels; i += 1) {
    parts.push(
      `fragment F${i} on Query{${Array.from({ length: fanOut }, () => `...F${i + 1}`).join(" ")}}`,
    );
  }
  parts.push(`fragment F${levels} on Query{__typename}`);
  return parts.join(" ");
}

/** Shapes that cost a naive server far more than their size. */
const abusive: fc.Arbitrary<{ shape: string; query: string }> = fc.oneof(
  // Up to 2^22 expansions: enough to stall a server that expands fragments (2^21 took seconds),
  // and bounded, so that an unfixed server makes this test fail rather than hang.
  fc
    .record({ levels: fc.integer({ min: 1, max: 40 }), fanOut: fc.integer({ min: 1, max: 4 }) })
    .filter(({ levels, fanOut }) => fanOut === 1 || levels * Math.log2(fanOut) <= 22)
    .map(({ levels, fanOut }) => ({
      shape: `fragment chain ${levels}x${fanOut}`,
      query: fragmentChain(levels, fanOut),
    })),
  fc.integer({ min: 10, max: 2700 }).map((n) => ({
    shape: `${n} repeated fields`,
    query: `{ products { items { ${"id ".repeat(n)}} } }`,
  })),
  fc.integer({ min: 10, max: 800 }).map((n) => ({
    shape: `${n} aliases`,
    query: `{ ${Array.from({ length: n }, (_, i) => `a${i}:__typename`).join(" ")} }`,
  })),
  fc.integer({ min: 10, max: 3900 }).map((n) => ({
    shape: `list literal ${n} deep`,
    query: `{ product(id: ${"[".repeat(n)}${"]".repeat(n)}) { id } }`,
  })),
  fc.integer({ min: 10, max: 2000 }).map((n) => ({
    shape: `${n} nested selections`,
    query: `{ products ${"{ items ".repeat(n)}${"}".repeat(n * 2)} }`,
  })),
  fc.integer({ min: 10, max: 1300 }).map((n) => ({
    shape: `${n} directives`,
    query: `{ __typename ${"@include(if: true) ".repeat(n)}}`,
  })),
  fc.integer({ min: 10, max: 600 }).map((n) => ({
    shape: `${n} variables`,
    query: `query(${Array.from({ length: n }, (_, i) => `$v${i}: Int`).join(" ")}) { __typename }`,
  })),
);

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { GRAPHQL_INTROSPECTION: "false" } });
});

afterAll(async () => {
  await t?.close();
});

/** Asks for the GraphQL-over-HTTP media type, under which a refused document is a 400 (under the
 * legacy `application/json` every well-formed GraphQL answer is a 200). */
async function send(app: TestApp, query: string) {
  const event = apiEvent({
    method: "POST",
    resource: "/graphql",
    body: { query },
    headers: { Accept: "application/graphql-response+json" },
  });
  return { event, ...(await measured(app.handler, event)) };
}

describe("GraphQL abuse: small documents that make a server work hard", () => {
  it("a nested list literal of 2,000 levels on a freshly started server: 400, not 500", async () => {
    const fresh = await createTestApp();
    try {
      const { result } = await send(
        fresh,
        `{ product(id: ${"[".repeat(2000)}${"]".repeat(2000)}) { id } }`,
      );
      expect(result.statusCode, result.body.slice(0, 300)).toBe(400);
    } finally {
      await fresh.close();
    }
  });

  it("fragments that each spread the next twice, 21 levels (865 bytes): refused in under 100 ms of CPU", async () => {
    const query = fragmentChain(21, 2);
    expect(Buffer.byteLength(query)).toBeLessThan(1024);
    const { result, cpuMs } = await send(t, query);
    recordFigure("graphql_fragment_chain_21_cpu_ms", cpuMs.toFixed(1), "ms");
    expect(result.statusCode).toBeLessThan(500);
    expect(cpuMs).toBeLessThan(CPU_BUDGET_MS);
  });

  it("any abusive shape under 8 KiB: no 5xx, nothing leaked, under 100 ms of server CPU", async () => {
    const worst = { cpuMs: 0, shape: "" };
    const over: string[] = [];
    await t.handler(
      apiEvent({ method: "POST", resource: "/graphql", body: { query: "{ __typename }" } }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          abusive.filter(({ query }) => Buffer.byteLength(query) < MAX_INPUT_BYTES),
          async ({ shape, query }) => {
            const { event, result, cpuMs } = await send(t, query);
            if (cpuMs > worst.cpuMs) Object.assign(worst, { cpuMs, shape });
            if (cpuMs >= CPU_BUDGET_MS) over.push(`${shape}: ${cpuMs.toFixed(0)} ms`);
            expect(result.statusCode, `${shape}: ${result.body.slice(0, 200)}`).toBeLessThan(500);
            expect(leaksIn(result.body, sentText(event)), shape).toEqual([]);
          },
        ),
        // No shrinking: each failing shape is slow by definition, and its size is in the message.
        { seed: FUZZ_SEED, numRuns: runsOf(60, 0.05), endOnFailure: true },
      );
    } finally {
      recordFigure("graphql_abuse_max_cpu_ms", `${worst.cpuMs.toFixed(1)} ms (${worst.shape})`);
      recordFigure("graphql_abuse_over_100ms", over.length);
    }
    expect(over).toEqual([]);
  });

  it("with introspection off, a misspelt field gets no suggestion of the schema's names", async () => {
    for (const query of [
      "{ produts { items { id } } }",
      "{ products { itemz { id } } }",
      "{ cart { totl } }",
    ]) {
      const { result } = await send(t, query);
      expect(result.statusCode).toBe(400);
      expect(result.body, query).not.toMatch(/Did you mean/i);
    }
  });
});
