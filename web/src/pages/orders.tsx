import { listOrders } from "../api/store-api.js";
import type { Order } from "../api/types.js";
import { session } from "../auth/session.js";
import { countryName } from "../checkout/countries.js";
import { isShipped, ratePercent } from "../checkout/totals-rows.js";
import { usePages } from "../components/more-pages.js";
import { StatusBadge } from "../components/order-status.js";
import { ProblemView } from "../components/problem-view.js";
import { SignInNeeded } from "../components/sign-in-needed.js";
import { formatDate, formatMoney } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { useStore } from "../state.js";

/** Where and how a newer order goes, and what of its total is shipping and tax. */
function OrderDelivery({ order }: { order: Order }) {
  if (!isShipped(order)) return null;
  const money = (cents: number) => formatMoney(cents, order.currency);
  const to = order.shippingAddress;
  const tax = order.taxLines
    .map((line) => `${line.label} ${ratePercent(line.ratePpm)} ${money(line.taxCents)}`)
    .join(", ");
  return (
    <p class="order-delivery muted">
      {to === null ? null : <>To {[to.city, countryName(to.country)].join(", ")}</>}
      {order.shipping === null ? null : <> · {order.shipping.name}</>}
      {` · shipping ${money(order.shippingCents)}`}
      {tax === "" ? null : ` · ${order.taxMode === "inclusive" ? "incl. " : ""}${tax}`}
    </p>
  );
}

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
            <OrderDelivery order={order} />
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
