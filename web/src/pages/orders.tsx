import { listOrders } from "../api/store-api.js";
import { session } from "../auth/session.js";
import { StatusBadge } from "../components/order-status.js";
import { ProblemView } from "../components/problem-view.js";
import { SignInNeeded } from "../components/sign-in-needed.js";
import { formatDate, formatMoney } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { useStore } from "../state.js";

function OrderList() {
  const [orders, reload] = useLoad(listOrders, "orders");
  if (orders.state === "loading") return <p aria-busy="true">Loading your orders…</p>;
  if (orders.state === "error") return <ProblemView error={orders.error} onRetry={reload} />;
  if (orders.value.length === 0) {
    return (
      <p>
        No orders yet. <a href="/">Visit the shop</a>.
      </p>
    );
  }
  return (
    <ul class="orders">
      {orders.value.map((order) => (
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
