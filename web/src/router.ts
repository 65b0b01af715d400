import { matchPage, type PageName, pagePath } from "./page-paths.js";
import { createStore } from "./state.js";

export type Route =
  | { name: "catalogue" }
  | { name: "product"; id: string }
  | { name: "basket" }
  | { name: "sign-in" }
  | { name: "sign-up" }
  | { name: "orders" }
  | { name: "order"; id: string }
  | { name: "guest-order"; id: string }
  | { name: "admin"; section: AdminSection; id?: string }
  | { name: "not-found" };

export type AdminSection =
  | "products"
  | "product"
  | "promotions"
  | "orders"
  | "packing-slip"
  | "fulfilment"
  | "shipping"
  | "tax";

export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

export const location = createStore<Location>(current());

/** The route of a page address: the pages of `PAGE_PATHS`, and not-found for any other. */
export function matchRoute(path: string): Route {
  const page = matchPage(path);
  const id = page?.id ?? "";
  switch (page?.name) {
    case "catalogue":
      return { name: "catalogue" };
    case "product":
      return { name: "product", id };
    case "basket":
      return { name: "basket" };
    case "signIn":
      return { name: "sign-in" };
    case "signUp":
      return { name: "sign-up" };
    case "orders":
      return { name: "orders" };
    case "order":
      return { name: "order", id };
    case "guestOrder":
      return { name: "guest-order", id };
    case "manageProducts":
      return { name: "admin", section: "products" };
    case "manageProduct":
      return { name: "admin", section: "product", id };
    case "managePromotions":
      return { name: "admin", section: "promotions" };
    case "manageOrders":
      return { name: "admin", section: "orders" };
    case "managePackingSlip":
      return { name: "admin", section: "packing-slip", id };
    case "manageFulfilment":
      return { name: "admin", section: "fulfilment" };
    case "manageShipping":
      return { name: "admin", section: "shipping" };
    case "manageTax":
      return { name: "admin", section: "tax" };
    case undefined:
      return { name: "not-found" };
  }
}

const ADMIN_PAGES: Record<AdminSection, PageName> = {
  products: "manageProducts",
  product: "manageProduct",
  promotions: "managePromotions",
  orders: "manageOrders",
  "packing-slip": "managePackingSlip",
  fulfilment: "manageFulfilment",
  shipping: "manageShipping",
  tax: "manageTax",
};

/** The address of an operators' page. */
export const adminPath = (section: AdminSection, id?: string): string =>
  pagePath(ADMIN_PAGES[section], id);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  location.set(current());
}

/** A `next` parameter is followed only when it is a path of this site. */
export function safeNext(value: string | null, fallback: string): string {
  return value?.startsWith("/") && !value.startsWith("//") ? value : fallback;
}

function isPlainClick(event: MouseEvent): boolean {
  return (
    event.button === 0 &&
    !event.defaultPrevented &&
    !event.metaKey &&
    !event.ctrlKey &&
    !event.shiftKey &&
    !event.altKey
  );
}

/** Same-origin links navigate in the page; plain <a href> everywhere, no Link component. */
export function startRouter(): void {
  window.addEventListener("popstate", () => location.set(current()));
  document.addEventListener("click", (event) => {
    if (!isPlainClick(event) || !(event.target instanceof Element)) return;
    const anchor = event.target.closest("a");
    if (anchor === null || anchor.target !== "" || anchor.hasAttribute("download")) return;
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    const samePage =
      url.pathname + url.search === window.location.pathname + window.location.search;
    // An in-page anchor (the skip link) is the browser's to follow.
    if (samePage && url.hash !== "") return;
    event.preventDefault();
    // The fragment goes along: a guest order's link carries its key there.
    if (!samePage) navigate(url.pathname + url.search + url.hash);
  });
}
