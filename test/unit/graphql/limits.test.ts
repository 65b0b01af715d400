import {
  type DocumentNode,
  getIntrospectionQuery,
  parse,
  type SelectionSetNode,
  specifiedRules,
  validate,
} from "graphql";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, type QueryLimits, queryLimitsRule } from "../../../src/graphql/limits.js";
import { schema } from "../../../src/graphql/schema.js";
import { doublingFragments } from "../../helpers/graphql-abuse.js";

const codesOf = (query: string, limits: QueryLimits = DEFAULT_LIMITS) =>
  validate(schema, parse(query), [queryLimitsRule(limits)]).map((e) => e.extensions.code);

/**
 * Counts how often each fragment's selections are read: a walk that expands every spread again
 * reads a fragment once per path to it, a memoized one a bounded number of times.
 */
function countFragmentReads(document: DocumentNode): Map<string, number> {
  const reads = new Map<string, number>();
  for (const definition of document.definitions) {
    if (definition.kind !== "FragmentDefinition") continue;
    const name = definition.name.value;
    const { selections } = definition.selectionSet;
    reads.set(name, 0);
    const counted: SelectionSetNode = {
      ...definition.selectionSet,
      get selections() {
        reads.set(name, (reads.get(name) ?? 0) + 1);
        return selections;
      },
    };
    Object.assign(definition, { selectionSet: counted });
  }
  return reads;
}

describe("the limits rule", () => {
  it("walks each fragment a bounded number of times however often fragments spread each other", () => {
    // The spread cap would refuse this document before it is measured: lift it to see the walk.
    const uncapped = { ...DEFAULT_LIMITS, maxFragmentSpreads: Number.POSITIVE_INFINITY };
    const document = parse(doublingFragments(21));
    const reads = countFragmentReads(document);
    const errors = validate(schema, document, [queryLimitsRule(uncapped)]);
    // 2^21 expanded __typename fields, each costing 1: measured, not walked.
    expect(errors.map((e) => e.message)).toEqual([
      "the operation costs 2097152; the limit is 1000 (a field costs 1, times the page size under a page's items and 10 under any other list)",
    ]);
    expect(reads.size).toBe(22);
    // Once by graphql-js' own traversal, once by the measure: F21 is not read 2^21 times.
    expect(Math.max(...reads.values())).toBe(2);
  });

  it("measures fragments as if written out: depth adds up, cost multiplies under a list", () => {
    const limits = { ...DEFAULT_LIMITS, maxDepth: 3, maxCost: 20 };
    // products.items is a page's list, 20 products by default, and latestComments a list of its
    // own (10): each comment's fields cost 200, nested 4 levels deep.
    const query = `query Q { products { ...Page } }
      fragment Page on ProductPage { items { ...Item } }
      fragment Item on CatalogueProduct { id latestComments { id } }`;
    const errors = validate(schema, parse(query), [queryLimitsRule(limits)]);
    expect(errors.map((e) => e.message)).toEqual([
      "Q is nested 4 levels deep; the limit is 3",
      "Q costs 242; the limit is 20 (a field costs 1, times the page size under a page's items and 10 under any other list)",
    ]);
    const written = `query Q { products { items { id latestComments { id } } } }`;
    const same = validate(schema, parse(written), [queryLimitsRule(limits)]);
    expect(same.map((e) => e.message)).toEqual(errors.map((e) => e.message));
  });

  it("multiplies a page's items by the page size the query asks for", () => {
    const costOf = (query: string) =>
      validate(schema, parse(query), [queryLimitsRule({ ...DEFAULT_LIMITS, maxCost: 0 })]).map(
        (e) => e.message.match(/costs (\d+);/)?.[1],
      );
    const nested = (first: number) =>
      `products(first: ${first}) { items { comments(first: ${first}) { items { text } } } }`;
    // products, items, then per product comments and its items, then per comment text.
    expect(costOf(`{ a: ${nested(100)} }`)).toEqual(["10202"]);
    expect(costOf(`{ ${nested(5)} }`)).toEqual(["37"]);
    expect(costOf("{ products(first: 100) { items { id } } }")).toEqual(["102"]);
    // Without first, the default page size; with null, the same, as the resolvers read it.
    expect(costOf("{ products { items { id } } }")).toEqual(["22"]);
    expect(costOf("{ products(first: null) { items { id } } }")).toEqual(["22"]);
    // A variable, or a literal no page can have, counts as the largest page.
    expect(costOf("query($n: Int) { products(first: $n) { items { id } } }")).toEqual(["102"]);
    expect(costOf("{ products(first: -50) { items { id } } }")).toEqual(["102"]);
    // The operators' pages take first too.
    expect(costOf("{ adminOrders(first: 3) { items { id } } }")).toEqual(["5"]);
    // A list outside a page keeps the fixed factor: latestComments is not paged.
    expect(costOf("{ products(first: 1) { items { latestComments { id } } } }")).toEqual(["13"]);
  });

  it("refuses eight aliases of a hundred products' hundred comments, under the old fixed factor", () => {
    const aliases = Array.from(
      { length: 8 },
      (_, i) => `a${i}: products(first: 100) { items { comments(first: 100) { items { text } } } }`,
    );
    expect(codesOf(`{ ${aliases.join(" ")} }`)).toEqual(["QUERY_TOO_COMPLEX"]);
    expect(codesOf("{ products(first: 100) { items { id } } }")).toEqual([]);
    expect(
      codesOf("{ products(first: 5) { items { comments(first: 5) { items { text } } } } }"),
    ).toEqual([]);
  });

  it("measures a fragment spread in pages of different sizes once per size", () => {
    const uncapped = { ...DEFAULT_LIMITS, maxCost: 0 };
    const query = `{ a: products(first: 2) { ...Page } b: products(first: 30) { ...Page } c: products(first: 2) { ...Page } }
      fragment Page on ProductPage { items { id } }`;
    const document = parse(query);
    const reads = countFragmentReads(document);
    const errors = validate(schema, document, [queryLimitsRule(uncapped)]);
    // (1 + 2) + (1 + 30) + (1 + 2) for the fragment, plus a products field per alias.
    expect(errors.map((e) => e.message.match(/costs (\d+);/)?.[1])).toEqual(["40"]);
    // Once by graphql-js' traversal, then once per page size.
    expect(reads.get("Page")).toBe(3);
  });

  it("refuses more fragment spreads than the cap, naming it", () => {
    const fragments = Array.from({ length: 33 }, (_, i) => `...A${i}`).join(" ");
    const definitions = Array.from(
      { length: 33 },
      (_, i) => `fragment A${i} on Query { id: __typename }`,
    );
    const errors = validate(schema, parse(`{ ${fragments} } ${definitions.join(" ")}`), [
      queryLimitsRule(DEFAULT_LIMITS),
    ]);
    expect(errors.map((e) => [e.extensions.code, e.message])).toEqual([
      ["TOO_MANY_FRAGMENT_SPREADS", "the document has 33 fragment spreads; the limit is 32"],
    ]);
  });

  it("refuses more fields than the cap, introspection's included", () => {
    const fields = " __schema { description }".repeat(101);
    expect(codesOf(`{${fields} }`)).toEqual(["TOO_MANY_FIELDS"]);
    expect(codesOf(`{ ${"__typename ".repeat(200)}}`)).toEqual([]);
  });

  it("stops at fragment cycles and leaves them to NoFragmentCyclesRule", () => {
    const query = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }";
    const errors = validate(schema, parse(query), [
      ...specifiedRules,
      queryLimitsRule(DEFAULT_LIMITS),
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      'Cannot spread fragment "A" within itself via "B".',
    ]);
  });

  it("lets graphql-js' standard introspection query through", () => {
    expect(codesOf(getIntrospectionQuery())).toEqual([]);
    const full = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    expect(codesOf(full)).toEqual([]);
  });
});
