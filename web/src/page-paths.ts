/**
 * Every page address of the storefront, as a pattern (`{id}` stands for one path segment): the
 * router matches these and nothing else, and the links are made from them. None may be an API
 * address too: the dev server serves the page from the API's origin and lets the API answer
 * first, so such a page would show the API's JSON when opened or reloaded. A test checks these
 * patterns against the route table.
 */
export const PAGE_PATHS = {
  catalogue: "/",
  product: "/item/{id}",
  basket: "/basket",
  signIn: "/sign-in",
  signUp: "/sign-up",
  orders: "/account/orders",
  order: "/account/orders/{id}",
  guestOrder: "/track/{id}",
  manageProducts: "/manage",
  manageProduct: "/manage/products/{id}",
  managePromotions: "/manage/promotions",
  manageOrders: "/manage/orders",
  managePackingSlip: "/manage/orders/{id}/slip",
  manageFulfilment: "/manage/fulfilment",
  manageShipping: "/manage/shipping",
  manageTax: "/manage/tax",
} as const;

export type PageName = keyof typeof PAGE_PATHS;

export interface PageMatch {
  name: PageName;
  /** The `{id}` segment, percent-decoded; absent for a page without one. */
  id?: string;
}

const segmentsOf = (path: string): string[] => path.split("/").filter((part) => part !== "");

const PAGES = (Object.entries(PAGE_PATHS) as [PageName, string][]).map(([name, pattern]) => ({
  name,
  segments: segmentsOf(pattern),
}));

/** The page `path` (no query string) addresses, or undefined for any other address. */
export function matchPage(path: string): PageMatch | undefined {
  const parts = segmentsOf(path);
  for (const page of PAGES) {
    if (page.segments.length !== parts.length) continue;
    let id: string | undefined;
    const matches = page.segments.every((segment, i) => {
      const part = parts[i] ?? "";
      if (segment !== "{id}") return segment === part;
      id = decode(part);
      return id !== undefined;
    });
    if (matches) return id === undefined ? { name: page.name } : { name: page.name, id };
  }
  return undefined;
}

/** The address of page `name`, with `id` (percent-encoded) in its `{id}` segment. */
export function pagePath(name: PageName, id = ""): string {
  return PAGE_PATHS[name].replace("{id}", encodeURIComponent(id));
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
