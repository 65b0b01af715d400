import { CHECKOUT_BODY } from "./fixtures.js";

/** A guest's order, its key only ever in the fragment of its page's address. */
export interface GuestOrder {
  id: string;
  token: string;
}

/**
 * A guest's order of one Lonely Bird placed over HTTP on a running server, as the page would: a
 * guest cart, then the checkout with CHECKOUT_BODY and `email`.
 */
export async function placeGuestOrderOverHttp(baseUrl: string, email: string): Promise<GuestOrder> {
  const json = { "Content-Type": "application/json" };
  const started = await fetch(`${baseUrl}/guest-carts`, { method: "POST" });
  const { token } = (await started.json()) as { token: string };
  const guest = { ...json, "Guest-Cart-Token": token };
  const saved = await fetch(`${baseUrl}/cart`, {
    method: "POST",
    headers: guest,
    body: JSON.stringify({ products: [{ id: "lonely-bird", quantity: 1 }] }),
  });
  if (saved.status !== 200) throw new Error(`the guest's cart answered ${saved.status}`);
  const placed = await fetch(`${baseUrl}/checkout`, {
    method: "PUT",
    headers: guest,
    body: JSON.stringify({ ...CHECKOUT_BODY, email }),
  });
  if (placed.status !== 202) throw new Error(`the guest's checkout answered ${placed.status}`);
  const order = (await placed.json()) as { id: string; orderAccessToken: string };
  return { id: order.id, token: order.orderAccessToken };
}
