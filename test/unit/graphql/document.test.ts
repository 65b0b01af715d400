import { getIntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { createDocumentReader } from "../../../src/graphql/document.js";
import { DEFAULT_LIMITS } from "../../../src/graphql/limits.js";
import { nestedList } from "../../helpers/graphql-abuse.js";

const reader = (introspection = true) => createDocumentReader(DEFAULT_LIMITS, { introspection });

const refusalOf = (result: ReturnType<ReturnType<typeof reader>["read"]>) => {
  expect(result.document).toBeUndefined();
  return (result.errors ?? []).map((error) => [error.extensions.code, error.message]);
};

/**
 * Calls `read` with as little stack left as it takes to overflow inside it: recurses until the
 * stack is full, then calls `read` at each depth on the way back until a call returns.
 */
function withStackNearlyFull<T>(read: () => T): T {
  try {
    return withStackNearlyFull(read);
  } catch {
    return read();
  }
}

describe("reading a GraphQL document", () => {
  it("refuses brackets nested past the limit before parsing, naming the limit", () => {
    expect(refusalOf(reader().read(nestedList(2000)))).toEqual([
      ["QUERY_TOO_NESTED", "the query's brackets ({, [ and () nest deeper than the limit of 32"],
    ]);
    // Within the nesting limit, the parser reads it and validation refuses the value.
    const shallow = refusalOf(reader().read(nestedList(3)));
    expect(shallow.map(([code]) => code)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("refuses a syntax error or a text over the token limit as the parser words it", () => {
    expect(refusalOf(reader().read('{ product(id: "unterminated) { id } }'))).toEqual([
      ["GRAPHQL_PARSE_FAILED", "Syntax Error: Unterminated string."],
    ]);
    const tokens = `{${" a".repeat(DEFAULT_LIMITS.maxTokens)} }`;
    expect(refusalOf(reader().read(tokens))).toEqual([
      [
        "GRAPHQL_PARSE_FAILED",
        "Syntax Error: Document contains more that 2000 tokens. Parsing aborted.",
      ],
    ]);
  });

  it("answers a stack overflow while reading as a refusal, with nothing of the overflow in it", () => {
    const query = `{ products { items { id comments { id author } } } }`;
    const result = withStackNearlyFull(() => reader().read(query));
    expect(refusalOf(result)).toEqual([
      ["QUERY_TOO_NESTED", "the query is nested too deeply to read"],
    ]);
  });

  it("suggests no names of the schema when introspection is off", () => {
    const typo = "{ prodcts { items { id } } }";
    const open = refusalOf(reader(true).read(typo));
    expect(open[0]?.[1]).toBe(
      'Cannot query field "prodcts" on type "Query". Did you mean "products" or "product"?',
    );
    const closed = refusalOf(reader(false).read(typo));
    expect(closed).toEqual([
      ["GRAPHQL_VALIDATION_FAILED", 'Cannot query field "prodcts" on type "Query".'],
    ]);
    const argument = refusalOf(reader(false).read("{ products(frist: 2) { items { id } } }"));
    expect(argument).toEqual([
      ["GRAPHQL_VALIDATION_FAILED", 'Unknown argument "frist" on field "Query.products".'],
    ]);
  });

  it("accepts graphql-js' standard introspection query, with every option, under every cap", () => {
    const full = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    expect(reader().read(full).errors).toBeUndefined();
  });

  it("keeps the documents it accepted and reads them again without checking", () => {
    const read = reader();
    const query = "{ products { items { id } } }";
    const first = read.read(query).document;
    expect(first).toBeDefined();
    expect(read.read(query).document).toBe(first);
  });
});
