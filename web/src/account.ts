import { signIn } from "./auth/session.js";
import { adoptGuestCart } from "./cart/cart-store.js";

/**
 * Signs in, then folds the visitor's guest cart into the account's cart. A failed merge leaves
 * the guest token in place (the merge is idempotent, the next sign-in or load retries it) and
 * does not undo the sign-in.
 */
export async function signInAndMerge(email: string, password: string): Promise<void> {
  await signIn(email, password);
  try {
    await adoptGuestCart();
  } catch {
    // The basket page shows the cart as it is; nothing is lost.
  }
}
