import { createStore } from "./state.js";

export type Route =
  | { name: "catalogue" }
  | { name: "product"; id: string }
  | { name: "basket" }
  | { name: "sign-in" }
  | { name: "sign-up" }
  | { name: "orders" }
  | { name: "order"; id: string }
  | { name: "admin"; section: AdminSection; id?: string }
  | { name: "not-found" };

export type AdminSection = "products" | "product" | "promotions" | "orders";

export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

export const location = createStore<Location>(current());

/** The page paths of the storefront contract; nothing here collides with an API path. */
export function matchRoute(path: string): Route {
  const parts = path.split("/").filter((part) => part !== "");
  const [first, second, third] = parts;
  const id = (value: string) => decodeURIComponent(value);
  if (parts.length === 0) return { name: "catalogue" };
  if (parts.length === 2 && first === "item" && second !== undefined) {
    return { name: "product", id: id(second) };
  }
  if (parts.length === 1 && first === "basket") return { name: "basket" };
  if (parts.length === 1 && first === "sign-in") return { name: "sign-in" };
  if (parts.length === 1 && first === "sign-up") return { name: "sign-up" };
  if (first === "admin") {
    if (parts.length === 1) return { name: "admin", section: "products" };
    if (parts.length === 2 && second === "promotions")
      return { name: "admin", section: "promotions" };
    if (parts.length === 2 && second === "orders") return { name: "admin", section: "orders" };
    if (parts.length === 3 && second === "products" && third !== undefined) {
      return { name: "admin", section: "product", id: id(third) };
    }
  }
  if (first === "account" && second === "orders") {
    if (parts.length === 2) return { name: "orders" };
    if (parts.length === 3 && third !== undefined) return { name: "order", id: id(third) };
  }
  return { name: "not-found" };
}

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
    if (!samePage) navigate(url.pathname + url.search);
  });
}
