import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import type { Shipment } from "../api/types.js";
import { countryName } from "../checkout/countries.js";
import { Field } from "../components/field.js";
import { usePages } from "../components/more-pages.js";
import { ProblemView } from "../components/problem-view.js";
import { formatDate, formatMoney } from "../format.js";
import { useLoad, usePageTitle } from "../load.js";
import { adminPath } from "../router.js";
import { type AdminOrder, listShippingQueue, shipOrder } from "./admin-api.js";

/** The inputs of the ship form, by the request's field names the API's refusals name. */
const SHIP_FIELDS = ["carrier", "trackingNumber", "trackingUrl"] as const;
type ShipField = (typeof SHIP_FIELDS)[number];

/** What the API said about each field (`trackingUrl`, or `body.trackingUrl`), and the rest. */
function fieldErrors(error: ApiError): {
  fields: Partial<Record<ShipField, string>>;
  rest: boolean;
} {
  const fields: Partial<Record<ShipField, string>> = {};
  let rest = error.fields.length === 0;
  for (const { field, message } of error.fields) {
    const name = SHIP_FIELDS.find((known) => known === field.split(".").at(-1));
    if (name === undefined) rest = true;
    else fields[name] ??= message;
  }
  return { fields, rest };
}

/** "Mark shipped": carrier and tracking, the API's word on each field shown under it. */
function ShipForm({ order, onShipped }: { order: AdminOrder; onShipped: (s: Shipment) => void }) {
  const [carrier, setCarrier] = useState("");
  const [trackingNumber, setTrackingNumber] = useState("");
  const [trackingUrl, setTrackingUrl] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = (field: ShipField) => `ship-${order.id}-${field}`;
  const refused = error === null ? { fields: {}, rest: false } : fieldErrors(error);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const url = trackingUrl.trim();
      const shipped = await shipOrder(order.id, {
        carrier: carrier.trim(),
        trackingNumber: trackingNumber.trim(),
        ...(url === "" ? {} : { trackingUrl: url }),
      });
      if (shipped.shipment !== null) onShipped(shipped.shipment);
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="ship-form"
      onSubmit={(event) => void submit(event)}
      aria-label={`Mark order ${order.id.slice(0, 8)} shipped`}
      noValidate
    >
      <div class="ship-fields">
        <Field
          id={id("carrier")}
          label="Carrier"
          value={carrier}
          onValue={setCarrier}
          error={refused.fields.carrier}
          autocomplete="off"
          required
          maxLength={60}
        />
        <Field
          id={id("trackingNumber")}
          label="Tracking number"
          value={trackingNumber}
          onValue={setTrackingNumber}
          error={refused.fields.trackingNumber}
          autocomplete="off"
          required
          maxLength={60}
        />
        <Field
          id={id("trackingUrl")}
          label="Tracking URL (optional)"
          hint="The carrier's https:// page for this parcel."
          value={trackingUrl}
          onValue={setTrackingUrl}
          error={refused.fields.trackingUrl}
          autocomplete="off"
          inputMode="url"
          maxLength={2048}
        />
      </div>
      <button type="submit" class="button button-primary" disabled={busy} aria-busy={busy}>
        Mark shipped<span class="visually-hidden"> order {order.id.slice(0, 8)}</span>
      </button>
      {error !== null && refused.rest ? (
        <p class="error" role="alert">
          {error.detail}
        </p>
      ) : null}
    </form>
  );
}

/** What was shipped, where the form was; it takes the focus the form's button had. */
function ShippedNote({ order, shipment }: { order: AdminOrder; shipment: Shipment }) {
  const note = useRef<HTMLParagraphElement>(null);
  useEffect(() => note.current?.focus(), []);
  return (
    <p class="shipped-note" ref={note} tabIndex={-1}>
      Order {order.id.slice(0, 8)} shipped with {shipment.carrier}, tracking number{" "}
      <span class="mono">{shipment.trackingNumber}</span>.
    </p>
  );
}

/** One paid order in the queue: what goes, to whom, its slip, and the ship form. */
function QueueEntry({ order }: { order: AdminOrder }) {
  const [shipped, setShipped] = useState<Shipment | null>(null);
  const short = order.id.slice(0, 8);
  const units = order.products.reduce((sum, line) => sum + line.quantity, 0);
  const lines = order.products.length;
  const to = order.shippingAddress;
  return (
    <article class="panel queue-entry" aria-labelledby={`queue-${order.id}`}>
      <h2 id={`queue-${order.id}`} class="queue-title">
        Order <span class="mono">{short}</span>
      </h2>
      <p class="muted queue-facts">
        Paid order placed <time dateTime={order.createdAt}>{formatDate(order.createdAt)}</time> ·{" "}
        {lines === 1 ? "1 line" : `${lines} lines`}, {units === 1 ? "1 item" : `${units} items`} ·{" "}
        {formatMoney(order.totalCents, order.currency)}
      </p>
      <ul class="queue-lines">
        {order.products.map((line) => (
          <li key={line.id}>
            {line.quantity} × {line.name}
          </li>
        ))}
      </ul>
      <p class="queue-to">
        {to === null ? (
          "No shipping address"
        ) : (
          <>
            To{" "}
            {[to.name, to.line1, to.line2, to.city, countryName(to.country)]
              .filter((part) => part !== null && part !== "")
              .join(", ")}
          </>
        )}
        {order.guestEmail === null ? null : <> · guest {order.guestEmail}</>}
      </p>
      <p>
        <a href={adminPath("packing-slip", order.id)}>
          Packing slip<span class="visually-hidden"> of order {short}</span>
        </a>
      </p>
      {shipped === null ? (
        <ShipForm order={order} onShipped={setShipped} />
      ) : (
        <ShippedNote order={order} shipment={shipped} />
      )}
    </article>
  );
}

/**
 * The shipping queue: paid orders waiting to ship, oldest first, a page at a time. An order
 * shipped here stays in view, marked, until the page is read again.
 */
export function FulfilmentSection() {
  usePageTitle("Admin: fulfilment");
  const [first, reload] = useLoad(() => listShippingQueue(), "shipping-queue");
  const pages = usePages(first.state === "ready" ? first.value : undefined, listShippingQueue);
  return (
    <section aria-labelledby="admin-fulfilment">
      <h1 id="admin-fulfilment" tabIndex={-1}>
        Fulfilment
      </h1>
      <p class="muted">Paid orders waiting to ship, oldest first.</p>
      {first.state === "loading" ? <p aria-busy="true">Loading the orders to ship…</p> : null}
      {first.state === "error" ? <ProblemView error={first.error} onRetry={reload} /> : null}
      {first.state === "ready" ? (
        <>
          {pages.items.length === 0 ? (
            <p>Nothing to ship: every paid order has left.</p>
          ) : (
            <ol class="queue" aria-label="Orders to ship">
              {pages.items.map((order) => (
                <li key={order.id} data-order={order.id}>
                  <QueueEntry order={order} />
                </li>
              ))}
            </ol>
          )}
          {pages.more}
        </>
      ) : null}
    </section>
  );
}
