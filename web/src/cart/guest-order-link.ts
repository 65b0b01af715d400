import { pagePath } from "../page-paths.js";

// A guest order's link carries its access token in the fragment (`/track/{id}#token=…`), never
// in its path or query: browsers send the fragment neither to servers nor in a Referer, so no
// log keeps it, and the link alone opens the order on any device.

export interface GuestOrderLink {
  id: string;
  token: string;
}

/** The guest order page's address, its key in the fragment. */
export function guestOrderHref({ id, token }: GuestOrderLink): string {
  return `${pagePath("guestOrder", id)}#token=${encodeURIComponent(token)}`;
}

/** The key a fragment such as `#token=…` carries, or null. */
export function tokenOfFragment(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("token");
  return token === null || token === "" ? null : token;
}
