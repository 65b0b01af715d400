import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import type { Order, PaymentSession, PostalAddress } from "../api/types.js";
import { OrderTotals } from "../checkout/order-totals.js";
import { deliveryDays } from "../checkout/shipping-methods.js";
import { isShipped, totalsRows } from "../checkout/totals-rows.js";
import { formatDate, formatMoney, STATUS_TEXT } from "../format.js";
import { PaymentPanel, takeRedirectStatus } from "../payment/payment-panel.js";
import { AddressBlock } from "./address-block.js";
import { StatusSteps } from "./order-status.js";
import { ShipmentDetails } from "./shipment.js";

const sameAddress = (a: PostalAddress, b: PostalAddress) => JSON.stringify(a) === JSON.stringify(b);

/** Where and how an order goes; nothing for an order placed before checkout took an address. */
function Delivery({ order }: { order: Order }) {
  const { shippingAddress, billingAddress, shipping } = order;
  if (shippingAddress === null && shipping === null) return null;
  const days = shipping === null ? "" : deliveryDays(shipping);
  return (
    <section class="delivery" aria-labelledby="delivery-title">
      <h2 id="delivery-title">Delivery</h2>
      <div class="delivery-grid">
        {shippingAddress === null ? null : (
          <div>
            <h3>Shipping to</h3>
            <AddressBlock address={shippingAddress} />
          </div>
        )}
        {billingAddress === null ||
        (shippingAddress !== null && sameAddress(billingAddress, shippingAddress)) ? null : (
          <div>
            <h3>Billed to</h3>
            <AddressBlock address={billingAddress} />
          </div>
        )}
        {shipping === null ? null : (
          <div>
            <h3>Shipping method</h3>
            <p class="shipping-method">
              {shipping.name}
              {days === "" ? null : <span class="muted"> · {days}</span>}
            </p>
          </div>
        )}
      </div>
    </section>
  );
}

/**
 * One order as its owner sees it: status (live, from the page that holds it) and, once shipped,
 * the parcel's tracking, items, delivery and totals, every amount the API's. `cancel` is offered
 * while the order is PLACED; `pay` is asked once while it is PLACED or PROCESSING, for the
 * payment form Stripe mode shows.
 */
export function OrderView({
  order,
  crumbs,
  cancel,
  pay,
  children,
}: {
  order: Order;
  crumbs?: ComponentChildren;
  cancel: () => Promise<void>;
  pay: () => Promise<PaymentSession>;
  children?: ComponentChildren;
}) {
  const payable = order.status === "PLACED" || order.status === "PROCESSING";
  // Back from Stripe on an order already settled: the client secret leaves the address anyway.
  useEffect(() => void takeRedirectStatus(), []);
  const money = (cents: number) => formatMoney(cents, order.currency);
  return (
    <article class="order" aria-labelledby="order-title">
      {crumbs === undefined ? null : <p class="crumbs">{crumbs}</p>}
      <h1 id="order-title" tabIndex={-1}>
        Order <span class="mono">{order.id.slice(0, 8)}</span>
      </h1>
      <p class="muted">
        Placed <time dateTime={order.createdAt}>{formatDate(order.createdAt)}</time>
        {order.guestEmail === null ? null : <> · messages go to {order.guestEmail}</>}
      </p>
      {children}
      <div class={`panel status status-${order.status.toLowerCase()}`}>
        <p class="status-line" role="status" aria-live="polite">
          Status: <strong data-status={order.status}>{STATUS_TEXT[order.status]}</strong>
          {order.status === "FAILED" && order.failureReason !== undefined ? (
            <span class="reason"> — {order.failureReason}</span>
          ) : null}
          {order.status === "SHIPPED" && order.shipment !== null ? (
            // Said with the status, so the change announced is the whole news.
            <span>
              {" "}
              — with {order.shipment.carrier}, tracking number {order.shipment.trackingNumber}
            </span>
          ) : null}
        </p>
        <StatusSteps status={order.status} />
        {order.shipment === null ? null : (
          <ShipmentDetails shipment={order.shipment} deliveredAt={order.deliveredAt} />
        )}
        {order.status === "PLACED" ? <CancelButton cancel={cancel} /> : null}
      </div>
      {payable ? <PaymentPanel key={order.id} pay={pay} /> : null}
      <h2>Items</h2>
      <ul class="lines">
        {order.products.map((line) => (
          <li key={line.id} class="line">
            <div class="line-name">
              <a href={`/item/${encodeURIComponent(line.id)}`}>{line.name}</a>
              <span class="muted">
                {line.quantity} × {money(line.unitPriceCents)}
              </span>
            </div>
            <span class="line-total">{money(line.lineTotalCents)}</span>
          </li>
        ))}
      </ul>
      <Delivery order={order} />
      <OrderTotals
        currency={order.currency}
        rows={totalsRows(order, {
          discountLabel: `Discount ${order.promotionCode ?? ""} (${order.discountPercentage}%)`,
          shipped: isShipped(order),
        })}
      />
    </article>
  );
}

/** A PLACED order's own cancel: the new status then arrives like any other update. */
function CancelButton({ cancel }: { cancel: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await cancel();
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="order-actions">
      <button type="button" class="button" disabled={busy} onClick={() => void run()}>
        Cancel order
      </button>
      {error === null ? null : (
        <p class="error" role="alert">
          {error.detail}
        </p>
      )}
    </div>
  );
}
