import { listOrders } from "../api/store-api.js";
import { session } from "../auth/session.js";
import { usePages } from "../components/more-pages.js";
import { StatusBadge } from "../components/order-status.js";
import { ProblemView } from "../components/problem-view.js";
import { SignInNeeded } from "../components/sign-in-needed.js";
import { formatDate, formatMoney } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { useStore } from "../state.js";

function OrderList() {
  const [orders, reload] = useLoad(() => listOrders(), "orders");
  const pages = usePages(orders.state === "ready" ? orders.value : undefined, listOrders);
  if (orders.state === "loading") return <p aria-busy="true">Loading your orders…</p>;
  if (orders.state === "error") return <ProblemView error={orders.error} onRetry={reload} />;
  if (pages.items.length === 0) {
    return (
      <p>
        No orders yet. <a href="/">Visit the shop</a>.
      </p>
    );
  }
  return (
    <>
      <ul class="orders">
        {pages.items.map((order) => (
          <li key={order.id} class="order-row">
            <a href={`/account/orders/${encodeURIComponent(order.id)}`}>
              Order <span class="mono">{order.id.slice(0, 8)}</span>
            </a>
            <time class="muted" dateTime={order.createdAt}>
              {formatDate(order.createdAt)}
            </time>
            <span>{formatMoney(order.totalCents, order.currency)}</span>
            <StatusBadge status={order.status} />
          </li>
        ))}
      </ul>
      {pages.more}
    </>
  );
}

export function OrdersPage() {
  usePageTitle("My orders");
  const user = useStore(session);
  if (user === null) return <SignInNeeded next="/account/orders" what="your orders" />;
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title" tabIndex={-1}>
        My orders
      </h1>
      <OrderList />
    </section>
  );
}
