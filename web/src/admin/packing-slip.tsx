import { useState } from "preact/hooks";
import { AddressBlock } from "../components/address-block.js";
import { ProblemView } from "../components/problem-view.js";
import { formatDate, formatMoney, STATUS_TEXT } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { NotFoundPage } from "../pages/not-found.js";
import { adminPath } from "../router.js";
import { type AdminOrder, getOrder } from "./admin-api.js";

/** The shop's name as the header shows it, at the top of the paper. */
const SHOP_NAME = "serverless-store";

function Slip({ order, prices }: { order: AdminOrder; prices: boolean }) {
  const money = (cents: number) => formatMoney(cents, order.currency);
  const units = order.products.reduce((sum, line) => sum + line.quantity, 0);
  const phone = order.shippingAddress?.phone ?? null;
  return (
    <article class="slip" aria-labelledby="slip-title">
      <header class="slip-head">
        <p class="slip-shop">{SHOP_NAME}</p>
        <h1 id="slip-title" tabIndex={-1}>
          Packing slip
        </h1>
        <dl class="slip-facts">
          <div>
            <dt>Order</dt>
            <dd class="mono">{order.id}</dd>
          </div>
          <div>
            <dt>Placed</dt>
            <dd>
              <time dateTime={order.createdAt}>{formatDate(order.createdAt)}</time>
            </dd>
          </div>
          {order.shipping === null ? null : (
            <div>
              <dt>Shipping method</dt>
              <dd>{order.shipping.name}</dd>
            </div>
          )}
          <div>
            <dt>Status</dt>
            <dd>{STATUS_TEXT[order.status]}</dd>
          </div>
        </dl>
      </header>
      <section class="slip-to" aria-labelledby="slip-to-title">
        <h2 id="slip-to-title">Ship to</h2>
        {order.shippingAddress === null ? (
          <p>No shipping address was given with this order.</p>
        ) : (
          <AddressBlock address={order.shippingAddress} />
        )}
        {phone === null ? null : <p>Phone: {phone}</p>}
      </section>
      <table class="slip-lines">
        <caption>Items</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" class="number">
              Quantity
            </th>
            {prices ? (
              <>
                <th scope="col" class="number">
                  Unit price
                </th>
                <th scope="col" class="number">
                  Line total
                </th>
              </>
            ) : null}
            <th scope="col" class="packed">
              Packed
            </th>
          </tr>
        </thead>
        <tbody>
          {order.products.map((line) => (
            <tr key={line.id}>
              <th scope="row">
                {line.name}
                <span class="slip-sku mono"> {line.id}</span>
              </th>
              <td class="number">{line.quantity}</td>
              {prices ? (
                <>
                  <td class="number">{money(line.unitPriceCents)}</td>
                  <td class="number">{money(line.lineTotalCents)}</td>
                </>
              ) : null}
              <td class="packed">
                <span class="tick-box" />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Items in all</th>
            <td class="number">{units}</td>
            {prices ? (
              <>
                <th scope="row" class="number">
                  Paid
                </th>
                <td class="number">{money(order.totalCents)}</td>
              </>
            ) : null}
            <td />
          </tr>
        </tfoot>
      </table>
      {order.shipment === null ? null : (
        <p class="slip-shipment">
          Shipped with {order.shipment.carrier}, tracking number{" "}
          <span class="mono">{order.shipment.trackingNumber}</span>.
        </p>
      )}
    </article>
  );
}

/**
 * An order's packing slip, to print and put in the parcel: what goes and where, quantities, no
 * prices unless asked for. The print stylesheet leaves the site's header, the operators'
 * navigation and these controls off the paper.
 */
export function PackingSlipSection({ id }: { id: string }) {
  usePageTitle(`Packing slip ${id.slice(0, 8)}`);
  const [order, reload] = useLoad(() => getOrder(id), id);
  const [prices, setPrices] = useState(false);
  if (order.state === "loading") return <p aria-busy="true">Loading the order…</p>;
  if (order.state === "error") {
    if (order.error.status === 404) return <NotFoundPage what="order" />;
    return <ProblemView error={order.error} onRetry={reload} />;
  }
  return (
    <>
      <div class="slip-tools">
        <a href={adminPath("fulfilment")}>
          <span aria-hidden="true">← </span>Fulfilment
        </a>
        <label class="check">
          <input
            type="checkbox"
            checked={prices}
            onChange={(event) => setPrices(event.currentTarget.checked)}
          />
          Show prices
        </label>
        <button type="button" class="button button-primary" onClick={() => window.print()}>
          Print
        </button>
      </div>
      <Slip order={order.value} prices={prices} />
    </>
  );
}
