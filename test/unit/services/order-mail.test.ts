import { describe, expect, it } from "vitest";
import type { Order, OrderMailKind } from "../../../src/domain/index.js";
import { formatCents, renderOrderMail } from "../../../src/services/order-mail.js";

// The order e-mails' words: each kind says what happened, with the lines, the totals and the
// order's link; whatever a customer or an operator typed is escaped in the HTML part and left
// as typed in the text part.

const XSS_PRODUCT = "<img src=x onerror=alert(1)>";
const XSS_NAME = '<script>alert("name")</script>';
const XSS_LINE = "1 Main St <b onmouseover=alert(2)>";

const ORDER: Order = {
  id: "0a6b3c1e-5f2d-4c1a-9b7e-2d8f6a4c3b21",
  userId: "user-ada",
  status: "PLACED",
  createdAt: "2026-05-01T12:00:00.000Z",
  idempotencyKey: "k-1",
  lines: [
    {
      productId: "evil",
      name: XSS_PRODUCT,
      quantity: 2,
      unitPriceCents: 1250,
      lineTotalCents: 2500,
    },
    {
      productId: "lonely-bird",
      name: "Lonely Bird",
      quantity: 1,
      unitPriceCents: 2999,
      lineTotalCents: 2999,
    },
  ],
  discountPercentage: 0,
  subtotalCents: 5499,
  discountCents: 0,
  totalCents: 6098,
  checkout: {
    shippingAddress: {
      name: XSS_NAME,
      line1: XSS_LINE,
      city: "Portland & Co",
      region: "OR",
      postalCode: "97201",
      country: "US",
    },
    shipping: { methodId: "us-ground", zoneId: "us", name: "Ground", priceCents: 599 },
    taxShipping: false,
    totals: {
      subtotalCents: 5499,
      discountCents: 0,
      shippingCents: 599,
      taxCents: 0,
      totalCents: 6098,
      taxMode: "exclusive",
      taxLines: [],
    },
  },
};

const URL = "https://shop.example.com/account/orders/0a6b3c1e-5f2d-4c1a-9b7e-2d8f6a4c3b21";
const render = (
  kind: OrderMailKind,
  order: Order = ORDER,
  payment?: "none" | "refunded" | "owed",
) =>
  renderOrderMail({
    order,
    kind,
    orderUrl: URL,
    shopName: "Serverless Store",
    ...(payment === undefined ? {} : { payment }),
  });

const SHIPPED: Order = {
  ...ORDER,
  status: "SHIPPED",
  shipment: {
    carrier: "<i>Fast</i> & Co",
    trackingNumber: "1Z<999>",
    trackingUrl: "https://track.example.com/1Z999?a=1&b=2",
    shippedAt: "2026-05-02T09:00:00.000Z",
  },
};

describe("the order e-mails", () => {
  it("escape every typed value in the HTML part and keep it as typed in the text part", () => {
    for (const kind of ["placed", "paid", "shipped", "cancelled", "payment-failed"] as const) {
      const mail = render(kind, { ...SHIPPED, failureReason: "<u>card declined</u>" });
      for (const raw of [XSS_PRODUCT, XSS_NAME, XSS_LINE, "<i>Fast</i>", "1Z<999>"]) {
        expect(mail.html, kind).not.toContain(raw);
      }
      expect(mail.html).not.toMatch(/<(img|script|b |i>|u>)/);
      expect(mail.html).toContain("&lt;img src=x onerror=alert(1)&gt;");
      expect(mail.html).toContain("&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;");
      expect(mail.html).toContain("Portland &amp; Co");
      expect(mail.text).toContain(`${XSS_PRODUCT} × 2`);
      expect(mail.text).toContain(`Hello ${XSS_NAME},`);
      expect(mail.text).toContain(XSS_LINE);
      expect(mail.text).not.toContain("&lt;");
    }
  });

  it("give the lines, the shipping and the total in the shop's money", () => {
    const mail = render("placed");
    expect(formatCents(6098)).toBe("$60.98");
    expect(mail.text).toMatch(/Lonely Bird × 1 +\$29\.99/);
    expect(mail.text).toMatch(/Shipping \(Ground\) +\$5\.99/);
    expect(mail.text).toMatch(/Total +\$60\.98/);
    expect(mail.html).toContain("$60.98");
    expect(mail.subject).toBe("Serverless Store: we have your order");
    expect(mail.text).toContain(`Your order: ${URL}`);
    expect(mail.html).toContain(`<a href="${URL}">`);
  });

  it("tell a shipment's carrier, tracking number and https tracking link", () => {
    const mail = render("shipped", SHIPPED);
    expect(mail.subject).toBe("Serverless Store: your order is on its way");
    expect(mail.text).toContain("Carrier: <i>Fast</i> & Co");
    expect(mail.text).toContain("Tracking number: 1Z<999>");
    expect(mail.text).toContain("Track the parcel: https://track.example.com/1Z999?a=1&b=2");
    expect(mail.html).toContain("Carrier: &lt;i&gt;Fast&lt;/i&gt; &amp; Co");
    expect(mail.html).toContain('<a href="https://track.example.com/1Z999?a=1&amp;b=2">');
  });

  it("give no tracking link that is not https", () => {
    for (const trackingUrl of ["javascript:alert(1)", "http://track.example.com/1", "not a url"]) {
      const shipment = { ...(SHIPPED.shipment as NonNullable<Order["shipment"]>), trackingUrl };
      const mail = render("shipped", { ...SHIPPED, shipment });
      expect(mail.text).not.toContain("Track the parcel");
      expect(mail.html).not.toContain(trackingUrl);
      expect(mail.text).toContain("Tracking number: 1Z<999>");
    }
  });

  it("say whether a cancelled order's payment was refunded", () => {
    expect(render("cancelled", ORDER, "none").text).toContain("No payment was taken.");
    expect(render("cancelled", ORDER, "refunded").text).toContain(
      "Your payment of $60.98 was refunded.",
    );
    expect(render("cancelled", ORDER, "owed").text).toContain(
      "Your payment of $60.98 is being refunded.",
    );
  });

  it("give a failed payment's reason", () => {
    const mail = render("payment-failed", {
      ...ORDER,
      status: "FAILED",
      failureReason: "declined",
    });
    expect(mail.subject).toBe("Serverless Store: the payment for your order failed");
    expect(mail.text).toContain("did not go through (declined)");
  });

  it("read an order from before checkout had an address: no greeting name, no shipping", () => {
    const { checkout: _, ...old } = ORDER;
    const mail = render("paid", { ...old, totalCents: 5499 });
    expect(mail.text.startsWith("Hello,\n")).toBe(true);
    expect(mail.text).not.toContain("Shipping");
    expect(mail.text).toMatch(/Total +\$54\.99/);
  });
});
