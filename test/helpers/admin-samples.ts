import type { ApiEventOptions } from "./api-event.js";
import { SAMPLE_SHIPMENT } from "./fixtures.js";

/** What the operators' samples act on: a product, an order that can be cancelled, a code. */
export interface AdminSampleIds {
  productId: string;
  /** A PLACED order: the cancel sample cancels it. */
  orderId: string;
  /** A paid (COMPLETED) order: the ship sample ships it, the deliver sample then delivers it. */
  paidOrderId: string;
  promotionCode: string;
}

/** A valid shipping document (zones and methods) an operator may save over the seeded one. */
export const SAMPLE_SHIPPING = {
  zones: [
    { id: "home", name: "Germany", countries: ["DE"] },
    { id: "near", name: "Neighbours", countries: ["AT", "NL"] },
  ],
  methods: [
    { id: "dhl", zoneId: "home", name: "DHL", priceCents: 499, freeAboveCents: 5000 },
    {
      id: "post",
      zoneId: "near",
      name: "Post",
      priceCents: 990,
      minDeliveryDays: 2,
      maxDeliveryDays: 4,
    },
  ],
};

/** A valid tax document: German VAT, prices including it, shipping taxed. */
export const SAMPLE_TAX = {
  rates: [{ country: "DE", label: "VAT", ratePpm: 190_000 }],
  mode: "inclusive" as const,
  taxShipping: true,
};

/**
 * One valid request for every admin route (without a token) and the status an operator gets:
 * the routing test and the authorization matrix send each, the matrix also without a token and
 * with a customer's. GraphQL's counterparts are `ADMIN_GRAPHQL_SAMPLES`.
 */
export function adminSamples(ids: AdminSampleIds): Record<string, [ApiEventOptions, number]> {
  const product = { id: ids.productId };
  return {
    "GET /admin/products": [{ method: "GET", resource: "/admin/products" }, 200],
    "POST /admin/products": [
      {
        method: "POST",
        resource: "/admin/products",
        body: { name: "Blue Vase", priceCents: 2500, imageUrl: "/images/blue-vase.png", stock: 3 },
      },
      201,
    ],
    "PATCH /admin/products/{id}": [
      {
        method: "PATCH",
        resource: "/admin/products/{id}",
        pathParameters: product,
        body: { description: "Now with a longer description." },
      },
      200,
    ],
    "GET /admin/products/{id}/stock-adjustments": [
      {
        method: "GET",
        resource: "/admin/products/{id}/stock-adjustments",
        pathParameters: product,
        query: { limit: "5" },
      },
      200,
    ],
    "POST /admin/products/{id}/stock-adjustments": [
      {
        method: "POST",
        resource: "/admin/products/{id}/stock-adjustments",
        pathParameters: product,
        body: { delta: 4, reason: "restock", note: "the Monday delivery" },
      },
      201,
    ],
    "POST /admin/uploads": [
      {
        method: "POST",
        resource: "/admin/uploads",
        body: { contentType: "image/png", bytes: 2048 },
      },
      201,
    ],
    "GET /admin/promotions": [{ method: "GET", resource: "/admin/promotions" }, 200],
    "POST /admin/promotions": [
      {
        method: "POST",
        resource: "/admin/promotions",
        body: { code: "SPRING20", percentOff: 20, maxUses: 100, maxUsesPerCustomer: 1 },
      },
      201,
    ],
    "PUT /admin/promotions/{code}": [
      {
        method: "PUT",
        resource: "/admin/promotions/{code}",
        pathParameters: { code: ids.promotionCode },
        body: { percentOff: 15, validUntil: "2099-01-01T00:00:00Z" },
      },
      200,
    ],
    "POST /admin/promotions/{code}/deactivate": [
      {
        method: "POST",
        resource: "/admin/promotions/{code}/deactivate",
        pathParameters: { code: ids.promotionCode },
      },
      200,
    ],
    "GET /admin/orders": [
      { method: "GET", resource: "/admin/orders", query: { status: "PLACED", limit: "10" } },
      200,
    ],
    "GET /admin/orders/{id}": [
      { method: "GET", resource: "/admin/orders/{id}", pathParameters: { id: ids.orderId } },
      200,
    ],
    "POST /admin/orders/{id}/cancel": [
      {
        method: "POST",
        resource: "/admin/orders/{id}/cancel",
        pathParameters: { id: ids.orderId },
      },
      200,
    ],
    "GET /admin/shipping-queue": [
      { method: "GET", resource: "/admin/shipping-queue", query: { limit: "10" } },
      200,
    ],
    "POST /admin/orders/{id}/ship": [
      {
        method: "POST",
        resource: "/admin/orders/{id}/ship",
        pathParameters: { id: ids.paidOrderId },
        body: SAMPLE_SHIPMENT,
      },
      200,
    ],
    // After the ship sample: only a SHIPPED order is delivered.
    "POST /admin/orders/{id}/deliver": [
      {
        method: "POST",
        resource: "/admin/orders/{id}/deliver",
        pathParameters: { id: ids.paidOrderId },
      },
      200,
    ],
    "GET /admin/figures": [{ method: "GET", resource: "/admin/figures" }, 200],
    "GET /admin/shipping": [{ method: "GET", resource: "/admin/shipping" }, 200],
    "PUT /admin/shipping": [
      { method: "PUT", resource: "/admin/shipping", body: { ...SAMPLE_SHIPPING, version: 1 } },
      200,
    ],
    "GET /admin/tax": [{ method: "GET", resource: "/admin/tax" }, 200],
    "PUT /admin/tax": [
      { method: "PUT", resource: "/admin/tax", body: { ...SAMPLE_TAX, version: 1 } },
      200,
    ],
    // Last: it takes the product out of the catalogue the samples above work on.
    "POST /admin/products/{id}/archive": [
      {
        method: "POST",
        resource: "/admin/products/{id}/archive",
        pathParameters: product,
      },
      200,
    ],
  };
}
