import { isAdmin, session, signOut } from "../auth/session.js";
import { cart, lineCount } from "../cart/cart-store.js";
import { guestOrderHref } from "../cart/guest-order-link.js";
import { guestOrders } from "../cart/guest-orders.js";
import { adminPath, matchRoute, navigate } from "../router.js";
import { useStore } from "../state.js";
import { Bell } from "./bell.js";

export function Header({ path }: { path: string }) {
  const user = useStore(session);
  const items = lineCount(useStore(cart));
  const latestGuestOrder = useStore(guestOrders)[0];
  const current = (href: string) => (path === href ? "page" : undefined);

  return (
    <header class="site-header">
      <div class="bar">
        <a class="brand" href="/">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span>serverless-store</span>
        </a>
        <nav aria-label="Main">
          <ul class="nav">
            <li>
              <a href="/" aria-current={current("/")}>
                Shop
              </a>
            </li>
            <li>
              <a href="/basket" aria-current={current("/basket")}>
                Basket <span class="count">{items}</span>
                <span class="visually-hidden">{items === 1 ? " item" : " items"}</span>
              </a>
            </li>
            {user === null ? (
              <>
                {latestGuestOrder === undefined ? null : (
                  <li>
                    <a
                      href={guestOrderHref(latestGuestOrder)}
                      aria-current={current(`/track/${encodeURIComponent(latestGuestOrder.id)}`)}
                    >
                      Your order
                    </a>
                  </li>
                )}
                <li>
                  <a href="/sign-in" aria-current={current("/sign-in")}>
                    Sign in
                  </a>
                </li>
                <li>
                  <a href="/sign-up" aria-current={current("/sign-up")}>
                    Sign up
                  </a>
                </li>
              </>
            ) : (
              <>
                <li>
                  <a href="/account/orders" aria-current={current("/account/orders")}>
                    My orders
                  </a>
                </li>
                {isAdmin(user) ? (
                  <li>
                    <a
                      href={adminPath("products")}
                      aria-current={matchRoute(path).name === "admin" ? "page" : undefined}
                    >
                      Admin
                    </a>
                  </li>
                ) : null}
                <li>
                  <Bell />
                </li>
                <li>
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => {
                      signOut();
                      navigate("/");
                    }}
                  >
                    Sign out<span class="visually-hidden"> {user.name || user.email}</span>
                  </button>
                </li>
              </>
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}
