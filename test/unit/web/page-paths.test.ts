import { describe, expect, it } from "vitest";
import { ADMIN_ROUTES, ROUTES } from "../../../src/http/index.js";
import { matchPage, PAGE_PATHS, pagePath } from "../../../web/src/page-paths.js";
import { readmePageAddresses } from "../../helpers/page-table.js";

// The dev server serves the page from the API's origin and lets every API route answer first: a
// page address that an API route could also match shows the API's JSON when opened or reloaded
// (the operators' pages did, at /admin/...). These checks keep the two sets of addresses apart.

/** Every resource pattern the API answers, from the route table (the admin routes named too). */
const API_PATTERNS = [...new Set([...ROUTES, ...ADMIN_ROUTES].map((route) => route.resource))];
const PAGE_PATTERNS = Object.values(PAGE_PATHS);

const segmentsOf = (pattern: string) => pattern.split("/").filter((part) => part !== "");
const isParam = (segment: string) => segment.startsWith("{") && segment.endsWith("}");
const isGreedy = (segment: string) => segment.startsWith("{") && segment.endsWith("+}");

/**
 * Whether some path matches both patterns: segment by segment, two literals must be equal and a
 * `{param}` matches anything (a literal, or another parameter); a greedy `{name+}` matches
 * whatever is left.
 */
function overlap(a: string, b: string): boolean {
  const left = segmentsOf(a);
  const right = segmentsOf(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if ((x !== undefined && isGreedy(x)) || (y !== undefined && isGreedy(y))) return true;
    if (x === undefined || y === undefined) return false;
    if (!isParam(x) && !isParam(y) && x !== y) return false;
  }
  return true;
}

/** Each page pattern that an API pattern could also match, with the API patterns it meets. */
const collisions = (pages: readonly string[], api: readonly string[]) =>
  pages.flatMap((page) => {
    const met = api.filter((resource) => overlap(page, resource));
    return met.length === 0 ? [] : [`${page} = ${met.join(", ")}`];
  });

describe("the storefront's page addresses", () => {
  it("are none of them an API address, {param} segments included", () => {
    expect(API_PATTERNS).toContain("/admin/orders");
    expect(collisions(PAGE_PATTERNS, API_PATTERNS)).toEqual([]);
  });

  it("would have been caught at /admin: the operators' pages there were API addresses", () => {
    const before = ["/admin", "/admin/products/{id}", "/admin/promotions", "/admin/orders"];
    expect(collisions(before, API_PATTERNS)).toEqual([
      "/admin/products/{id} = /admin/products/{id}",
      "/admin/promotions = /admin/promotions",
      "/admin/orders = /admin/orders",
    ]);
  });

  it("tells a parameter meeting a literal from segments that differ", () => {
    expect(overlap("/orders/{id}", "/orders/mine")).toBe(true);
    expect(overlap("/{section}/orders", "/admin/{what}")).toBe(true);
    expect(overlap("/account/orders/{id}", "/orders/{id}")).toBe(false);
    expect(overlap("/manage/orders", "/manage/orders/{id}")).toBe(false);
    expect(overlap("/shop/item/x", "/{proxy+}")).toBe(true);
    expect(overlap("/", "/{proxy+}")).toBe(true);
  });

  it("never meet each other, so each address is one page", () => {
    for (const [i, page] of PAGE_PATTERNS.entries()) {
      expect(collisions([page], PAGE_PATTERNS.slice(i + 1)), page).toEqual([]);
    }
  });

  it("are the ones the README's page table lists", async () => {
    expect(new Set(await readmePageAddresses())).toEqual(new Set(PAGE_PATTERNS));
  });

  it("are what the router matches, ids decoded, and what the links are made of", () => {
    expect(matchPage("/manage/products/lonely%20bird")).toEqual({
      name: "manageProduct",
      id: "lonely bird",
    });
    expect(matchPage("/account/orders/")).toEqual({ name: "orders" });
    expect(matchPage("/admin/orders")).toBeUndefined();
    expect(matchPage("/item/%E0%A4%A")).toBeUndefined();
    expect(pagePath("manageProduct", "lonely bird")).toBe("/manage/products/lonely%20bird");
    for (const [name, pattern] of Object.entries(PAGE_PATHS)) {
      const path = pattern.replace("{id}", "x");
      expect(matchPage(path), path).toEqual(
        pattern.includes("{id}") ? { name, id: "x" } : { name },
      );
    }
  });
});
