import { attachGuestOrders } from "./api/store-api.js";
import { signIn } from "./auth/session.js";
import { adoptGuestCart } from "./cart/cart-store.js";

/**
 * Signs in, then folds the visitor's guest cart into the account's cart and takes the finished
 * orders placed as a guest with the account's (confirmed) e-mail address into the account. A
 * failure of either leaves things as they were (both are idempotent: the next sign-in retries)
 * and does not undo the sign-in.
 */
export async function signInAndMerge(email: string, password: string): Promise<void> {
  const { idToken } = await signIn(email, password);
  try {
    await adoptGuestCart();
  } catch {
    // The basket page shows the cart as it is; nothing is lost.
  }
  if (idToken === undefined) return;
  try {
    await attachGuestOrders(idToken);
  } catch {
    // The guest orders stay with their links; the next sign-in attaches them.
  }
}
