import type { Shipment } from "../api/types.js";
import { formatDate } from "../format.js";

/**
 * The carrier's tracking page as a link target: an https address only. The API refuses any other
 * when the order is shipped; the page checks again, since a link is where a bad address would
 * do harm (a `javascript:` one runs in the shop's origin).
 */
function trackingHref(url: string | null): string | undefined {
  if (url === null) return undefined;
  try {
    return new URL(url).protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A SHIPPED or DELIVERED order's parcel: carrier, tracking number, and the tracking link. */
export function ShipmentDetails({
  shipment,
  deliveredAt,
}: {
  shipment: Shipment;
  deliveredAt: string | null;
}) {
  const href = trackingHref(shipment.trackingUrl);
  return (
    <div class="shipment">
      <dl>
        <div>
          <dt>Carrier</dt>
          <dd>{shipment.carrier}</dd>
        </div>
        <div>
          <dt>Tracking number</dt>
          <dd class="mono">{shipment.trackingNumber}</dd>
        </div>
        <div>
          <dt>Shipped</dt>
          <dd>
            <time dateTime={shipment.shippedAt}>{formatDate(shipment.shippedAt)}</time>
          </dd>
        </div>
        {deliveredAt === null ? null : (
          <div>
            <dt>Delivered</dt>
            <dd>
              <time dateTime={deliveredAt}>{formatDate(deliveredAt)}</time>
            </dd>
          </div>
        )}
      </dl>
      {href === undefined ? null : (
        <p>
          <a class="button" href={href} target="_blank" rel="noopener noreferrer">
            Track the parcel<span class="visually-hidden"> with {shipment.carrier}</span>{" "}
            <span aria-hidden="true">↗</span>
            <span class="visually-hidden"> (opens in a new tab)</span>
          </a>
        </p>
      )}
    </div>
  );
}
