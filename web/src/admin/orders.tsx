import { useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import { ORDER_STATUSES, type OrderStatus } from "../api/types.js";
import { StatusBadge } from "../components/order-status.js";
import { ProblemView } from "../components/problem-view.js";
import { formatDate, formatMoney, STATUS_TEXT } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { adminPath } from "../router.js";
import { type AdminOrder, cancelOrder, listOrders, markDelivered } from "./admin-api.js";
import { TableScroll } from "./table-scroll.js";

export function OrdersSection() {
  usePageTitle("Admin: orders");
  const [status, setStatus] = useState<OrderStatus | "">("");
  const [cursors, setCursors] = useState<string[]>([]);
  const [round, setRound] = useState(0);
  const cursor = cursors[cursors.length - 1];
  const [page, reload] = useLoad(
    () => listOrders(status === "" ? undefined : status, cursor),
    `${status}-${cursor ?? ""}-${round}`,
  );
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState("");

  const cancel = async (order: AdminOrder) => {
    setError(null);
    setDone("");
    try {
      const result = await cancelOrder(order.id);
      const refunded =
        result.refund?.refunded === true && result.refund.amountCents !== undefined
          ? `, ${formatMoney(result.refund.amountCents, order.currency)} refunded`
          : "";
      setDone(`Order ${order.id.slice(0, 8)} cancelled, its stock returned${refunded}.`);
      setRound((value) => value + 1);
    } catch (failure) {
      setError(asApiError(failure));
    }
  };

  const deliver = async (order: AdminOrder) => {
    setError(null);
    setDone("");
    try {
      await markDelivered(order.id);
      setDone(`Order ${order.id.slice(0, 8)} marked delivered.`);
      setRound((value) => value + 1);
    } catch (failure) {
      setError(asApiError(failure));
    }
  };

  return (
    <section aria-labelledby="admin-orders">
      <h1 id="admin-orders" tabIndex={-1}>
        Orders
      </h1>
      <div class="field">
        <label for="order-status">Status</label>
        <select
          id="order-status"
          value={status}
          onChange={(event) => {
            setStatus(event.currentTarget.value as OrderStatus | "");
            setCursors([]);
          }}
        >
          <option value="">Every status</option>
          {ORDER_STATUSES.map((value) => (
            <option key={value} value={value}>
              {STATUS_TEXT[value]}
            </option>
          ))}
        </select>
      </div>
      <p role="status" aria-live="polite">
        {done}
      </p>
      {error === null ? null : <ProblemView error={error} />}
      {page.state === "loading" ? <p aria-busy="true">Loading the orders…</p> : null}
      {page.state === "error" ? <ProblemView error={page.error} onRetry={reload} /> : null}
      {page.state === "ready" ? (
        <>
          <TableScroll label="Orders">
            <table class="admin-table">
              <caption>Orders, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Items</th>
                  <th scope="col">Total</th>
                  <th scope="col">Status</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {page.value.items.map((order) => (
                  <tr key={order.id} data-order={order.id}>
                    <th scope="row" class="mono">
                      {order.id.slice(0, 8)}
                    </th>
                    <td>{formatDate(order.createdAt)}</td>
                    <td>
                      {order.products.map((line) => `${line.quantity} × ${line.name}`).join(", ")}
                    </td>
                    <td>{formatMoney(order.totalCents, order.currency)}</td>
                    <td>
                      <StatusBadge status={order.status} />
                      {order.shipment === null ? null : (
                        <span class="muted tracking">
                          {order.shipment.carrier}{" "}
                          <span class="mono">{order.shipment.trackingNumber}</span>
                        </span>
                      )}
                    </td>
                    <td>
                      <OrderActions order={order} cancel={cancel} deliver={deliver} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {page.value.items.length === 0 ? <p>No orders.</p> : null}
          <p>
            {cursors.length > 0 ? (
              <button type="button" class="button" onClick={() => setCursors(cursors.slice(0, -1))}>
                Newer
              </button>
            ) : null}{" "}
            {page.value.nextCursor === null ? null : (
              <button
                type="button"
                class="button"
                onClick={() => setCursors([...cursors, page.value.nextCursor as string])}
              >
                Older
              </button>
            )}
          </p>
        </>
      ) : null}
    </section>
  );
}

/** What an operator can do with an order in its state, from its row. */
function OrderActions({
  order,
  cancel,
  deliver,
}: {
  order: AdminOrder;
  cancel: (order: AdminOrder) => Promise<void>;
  deliver: (order: AdminOrder) => Promise<void>;
}) {
  const which = <span class="visually-hidden"> order {order.id.slice(0, 8)}</span>;
  const slip = (
    <a href={adminPath("packing-slip", order.id)}>
      Packing slip<span class="visually-hidden"> of order {order.id.slice(0, 8)}</span>
    </a>
  );
  switch (order.status) {
    case "PLACED":
    case "PROCESSING":
      return (
        <button type="button" class="link-button" onClick={() => void cancel(order)}>
          Cancel{which}
        </button>
      );
    case "COMPLETED":
      return slip;
    case "SHIPPED":
      return (
        <span class="row-actions">
          <button type="button" class="link-button" onClick={() => void deliver(order)}>
            Mark delivered{which}
          </button>
          {slip}
        </span>
      );
    default:
      return <>—</>;
  }
}
