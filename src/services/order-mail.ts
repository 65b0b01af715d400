import {
  type Address,
  CURRENCY,
  type Order,
  type OrderMailKind,
  orderTotals,
} from "../domain/index.js";

// The words of the order e-mails, made when a message is sent (the outbox keeps only which
// message it is). Every value a customer or an operator typed (names, address lines, product
// names, carrier, tracking number, a failure's reason) goes into the HTML part through `escape`,
// and into the plain-text part as it is: text is never read as markup.

/** What one order e-mail says, in both parts. */
export interface OrderMailContent {
  subject: string;
  text: string;
  html: string;
}

export interface OrderMailInput {
  order: Order;
  kind: OrderMailKind;
  /** The order's page: the guest page with its token, or the customer's own order page. */
  orderUrl: string;
  shopName: string;
  /**
   * For `cancelled`: what became of the payment. `none` when nothing was taken, `refunded` once
   * it was given back, `owed` while the refund is still being made.
   */
  payment?: "none" | "refunded" | "owed";
}

/** Money as the shop writes it: one currency (CURRENCY), US notation, whatever the reader's locale. */
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: CURRENCY });
export const formatCents = (cents: number): string => money.format(cents / 100);

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `value` as HTML text or a quoted attribute's value: no character of it can start markup. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** A tracking link is given only as https: another scheme (javascript:, http:) is not a link. */
const httpsOnly = (url: string | undefined): string | undefined => {
  if (url === undefined) return undefined;
  try {
    return new URL(url).protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
};

/** One paragraph, in both parts: its text, and its HTML made of escaped values. */
interface Block {
  text: string;
  html: string;
}

const paragraph = (text: string): Block => ({ text, html: `<p>${escapeHtml(text)}</p>` });

function addressBlock(heading: string, address: Address): Block {
  const lines = [
    address.name,
    address.line1,
    address.line2,
    [address.postalCode, address.city, address.region].filter(Boolean).join(" "),
    address.country,
  ].filter((line): line is string => line !== undefined && line !== "");
  return {
    text: [`${heading}:`, ...lines.map((line) => `  ${line}`)].join("\n"),
    html: `<p><strong>${escapeHtml(heading)}</strong><br>${lines.map(escapeHtml).join("<br>")}</p>`,
  };
}

function linesBlock(order: Order): Block {
  const totals = orderTotals(order);
  const rows: [string, string][] = order.lines.map((line) => [
    `${line.name} × ${line.quantity}`,
    formatCents(line.lineTotalCents),
  ]);
  rows.push(["Subtotal", formatCents(totals.subtotalCents)]);
  if (totals.discountCents > 0) {
    const code = order.promotionCode === undefined ? "" : ` (${order.promotionCode})`;
    rows.push([`Discount${code}`, `−${formatCents(totals.discountCents)}`]);
  }
  if (order.checkout !== undefined) {
    rows.push([`Shipping (${order.checkout.shipping.name})`, formatCents(totals.shippingCents)]);
    if (totals.taxCents > 0) {
      const label = totals.taxMode === "inclusive" ? "Tax included" : "Tax";
      rows.push([label, formatCents(totals.taxCents)]);
    }
  }
  rows.push(["Total", formatCents(totals.totalCents)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return {
    text: rows.map(([label, amount]) => `${label.padEnd(width)}  ${amount}`).join("\n"),
    html: `<table cellpadding="4" style="border-collapse:collapse">${rows
      .map(
        ([label, amount], i) =>
          `<tr${i === rows.length - 1 ? ' style="font-weight:bold"' : ""}><td>${escapeHtml(
            label,
          )}</td><td style="text-align:right">${escapeHtml(amount)}</td></tr>`,
      )
      .join("")}</table>`,
  };
}

function shipmentBlocks(order: Order): Block[] {
  const shipment = order.shipment;
  if (shipment === undefined) return [];
  const tracking = httpsOnly(shipment.trackingUrl);
  const blocks: Block[] = [
    {
      text: `Carrier: ${shipment.carrier}\nTracking number: ${shipment.trackingNumber}`,
      html: `<p>Carrier: ${escapeHtml(shipment.carrier)}<br>Tracking number: ${escapeHtml(
        shipment.trackingNumber,
      )}</p>`,
    },
  ];
  if (tracking !== undefined) {
    blocks.push({
      text: `Track the parcel: ${tracking}`,
      html: `<p><a href="${escapeHtml(tracking)}">Track the parcel</a></p>`,
    });
  }
  return blocks;
}

/** The subject and the opening paragraphs of each kind of message. */
function storyOf(input: OrderMailInput): { subject: string; blocks: Block[] } {
  const { order, kind, shopName } = input;
  const ref = `order ${order.id}`;
  switch (kind) {
    case "placed":
      return {
        subject: `${shopName}: we have your order`,
        blocks: [paragraph(`Thank you for your ${ref}. We will e-mail you once it is paid.`)],
      };
    case "paid":
      return {
        subject: `${shopName}: your order is paid`,
        blocks: [paragraph(`The payment for your ${ref} went through. We are packing it now.`)],
      };
    case "shipped":
      return {
        subject: `${shopName}: your order is on its way`,
        blocks: [paragraph(`Your ${ref} has shipped.`), ...shipmentBlocks(order)],
      };
    case "cancelled": {
      const total = formatCents(order.totalCents);
      const refund =
        input.payment === "refunded"
          ? `Your payment of ${total} was refunded.`
          : input.payment === "owed"
            ? `Your payment of ${total} is being refunded.`
            : "No payment was taken.";
      return {
        subject: `${shopName}: your order is cancelled`,
        blocks: [paragraph(`Your ${ref} is cancelled. ${refund}`)],
      };
    }
    case "payment-failed": {
      const reason = order.failureReason === undefined ? "" : ` (${order.failureReason})`;
      return {
        subject: `${shopName}: the payment for your order failed`,
        blocks: [
          paragraph(
            `The payment for your ${ref} did not go through${reason}. Nothing was charged; the order is closed.`,
          ),
        ],
      };
    }
  }
}

/** The e-mail of `kind` about `order`: pure, the same input gives the same message. */
export function renderOrderMail(input: OrderMailInput): OrderMailContent {
  const { order, orderUrl, shopName } = input;
  const story = storyOf(input);
  const name = order.checkout?.shippingAddress.name;
  const address = order.checkout?.shippingAddress;
  const blocks: Block[] = [
    paragraph(name === undefined ? "Hello," : `Hello ${name},`),
    ...story.blocks,
    linesBlock(order),
    ...(address === undefined ? [] : [addressBlock("Shipping to", address)]),
    {
      text: `Your order: ${orderUrl}`,
      html: `<p><a href="${escapeHtml(orderUrl)}">See your order</a></p>`,
    },
    paragraph(`— ${shopName}`),
  ];
  const text = `${blocks.map((block) => block.text).join("\n\n")}\n`;
  const html = [
    "<!doctype html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(story.subject)}</title></head>`,
    `<body style="font-family:sans-serif;line-height:1.4">`,
    ...blocks.map((block) => block.html),
    "</body></html>",
    "",
  ].join("\n");
  return { subject: story.subject, text, html };
}
