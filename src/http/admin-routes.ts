import {
  createProductBody,
  createPromotionBody,
  imageUploadBody,
  orderStatusQuery,
  promotionDefinition,
  shipmentBody,
  shippingSettingsBody,
  stockAdjustmentBody,
  taxSettingsBody,
  updateProductBody,
  validate,
} from "../services/index.js";
import { pageOf, type Reply, type Route, type RouteRequest, route } from "./route.js";

// The operators' routes: every one `auth: "admin"` (401 anonymous, 403 outside the `admin`
// group, checked by the router before anything else) in the `admin` resource group, so they
// deploy as functions of their own with the IAM only they have.

const ok = (body: unknown): Reply => ({ statusCode: 200, body });
const created = (body: unknown): Reply => ({ statusCode: 201, body });
const param = (request: RouteRequest<unknown>, name: string): string => request.params[name] ?? "";
const admin = { group: "admin", auth: "admin" } as const;

export const ADMIN_ROUTES: readonly Route[] = [
  route({
    ...admin,
    method: "GET",
    resource: "/admin/products",
    answers: { 200: "ManagedProductList" },
    store: "read",
    summary: "Every product, archived ones too, with its stock (operators only)",
    handle: async (services, request) =>
      ok(await services.adminCatalogue.listProducts(request.caller)),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/products",
    answers: { 201: "ManagedProduct" },
    refusals: ["PRODUCT_EXISTS"],
    store: "write",
    summary:
      "Add a product: name, description, priceCents, imageUrl and its initial stock (recorded as " +
      "the first stock adjustment); the id is made from the name unless given",
    body: createProductBody,
    handle: async (services, request) =>
      created(await services.adminCatalogue.createProduct(request.caller, request.body)),
  }),
  route({
    ...admin,
    method: "PATCH",
    resource: "/admin/products/{id}",
    answers: { 200: "ManagedProduct" },
    refusals: ["NOT_FOUND"],
    store: "write",
    summary:
      "Change a product's name, description, price or image; a new price reaches every cart at " +
      "once, and a checkout priced before it answers CART_CHANGED",
    body: updateProductBody,
    handle: async (services, request) =>
      ok(
        await services.adminCatalogue.updateProduct(
          request.caller,
          param(request, "id"),
          request.body,
        ),
      ),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/products/{id}/archive",
    answers: { 200: "ManagedProduct" },
    refusals: ["NOT_FOUND"],
    store: "write",
    summary:
      "Take a product out of the catalogue: carts drop it, checkout refuses it, orders keep it",
    handle: async (services, request) =>
      ok(await services.adminCatalogue.archiveProduct(request.caller, param(request, "id"))),
  }),
  route({
    ...admin,
    method: "GET",
    resource: "/admin/products/{id}/stock-adjustments",
    paged: true,
    answers: { 200: "StockAdjustmentPage" },
    refusals: ["NOT_FOUND", "VALIDATION_FAILED"],
    store: "read",
    summary: "A product's stock adjustments, newest first (limit, cursor -> nextCursor)",
    handle: async (services, request) =>
      ok(
        await services.adminCatalogue.listStockAdjustments(
          request.caller,
          param(request, "id"),
          pageOf(request),
        ),
      ),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/products/{id}/stock-adjustments",
    answers: { 201: "StockAdjustment" },
    refusals: ["NOT_FOUND", "STOCK_NEGATIVE"],
    store: "write",
    summary:
      "Move a product's stock by delta with a reason (restock, returned, correction, damaged, " +
      "lost), atomically with checkouts: STOCK_NEGATIVE when it would go below zero",
    body: stockAdjustmentBody,
    handle: async (services, request) =>
      created(
        await services.adminCatalogue.adjustStock(
          request.caller,
          param(request, "id"),
          request.body,
        ),
      ),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/uploads",
    answers: { 201: "ImageUploadTicket" },
    refusals: ["NOT_IMPLEMENTED"],
    store: "none",
    summary:
      "Sign a one-time upload of a product image (PNG, JPEG or WebP, at most 1 MiB): PUT the " +
      "bytes to uploadUrl with the headers given, then use imageUrl",
    body: imageUploadBody,
    handle: async (services, request) =>
      created(await services.adminCatalogue.createImageUpload(request.caller, request.body)),
  }),
  route({
    ...admin,
    method: "GET",
    resource: "/admin/promotions",
    answers: { 200: "PromotionList" },
    store: "read",
    summary: "Every promotion code, deactivated ones too, with its uses",
    handle: async (services, request) =>
      ok(await services.adminPromotions.listPromotions(request.caller)),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/promotions",
    answers: { 201: "Promotion" },
    refusals: ["PROMOTION_EXISTS"],
    store: "write",
    summary:
      "Create a promotion code: percentOff, optional validFrom/validUntil, maxUses and " +
      "maxUsesPerCustomer (enforced atomically at checkout)",
    body: createPromotionBody,
    handle: async (services, request) =>
      created(await services.adminPromotions.createPromotion(request.caller, request.body)),
  }),
  route({
    ...admin,
    method: "PUT",
    resource: "/admin/promotions/{code}",
    answers: { 200: "Promotion" },
    refusals: ["NOT_FOUND"],
    store: "write",
    summary: "Replace a promotion code's definition (its uses are kept); active: false deactivates",
    body: promotionDefinition,
    handle: async (services, request) =>
      ok(
        await services.adminPromotions.updatePromotion(
          request.caller,
          param(request, "code"),
          request.body,
        ),
      ),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/promotions/{code}/deactivate",
    answers: { 200: "Promotion" },
    refusals: ["NOT_FOUND"],
    store: "write",
    summary: "Deactivate a promotion code: refused from now on, kept by the orders that used it",
    handle: async (services, request) =>
      ok(
        await services.adminPromotions.deactivatePromotion(request.caller, param(request, "code")),
      ),
  }),
  route({
    ...admin,
    method: "GET",
    resource: "/admin/orders",
    paged: true,
    answers: { 200: "AdminOrderPage" },
    refusals: ["VALIDATION_FAILED"],
    store: "read",
    summary:
      "Every user's orders, newest first (status: any state, SHIPPED and DELIVERED included; " +
      "limit, cursor -> nextCursor)",
    handle: async (services, request) =>
      ok(
        await services.adminOrders.listOrders(request.caller, {
          ...validate(orderStatusQuery, request.query, "query string"),
          ...pageOf(request),
        }),
      ),
  }),
  route({
    ...admin,
    method: "GET",
    resource: "/admin/orders/{id}",
    answers: { 200: "AdminOrder" },
    refusals: ["NOT_FOUND"],
    store: "read",
    summary: "Any user's order, with its user id",
    handle: async (services, request) =>
      ok(await services.adminOrders.getOrder(request.caller, param(request, "id"))),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/orders/{id}/cancel",
    answers: { 200: "CancelledOrder" },
    refusals: ["NOT_FOUND", "ORDER_NOT_CANCELLABLE"],
    store: "write",
    paymentProvider: true,
    summary:
      "Cancel a PLACED, PROCESSING or paid (COMPLETED) order: its stock returned in the same " +
      "transaction, a paid order refunded once, its owner told over the WebSocket; asked again " +
      "for a cancelled order whose refund could not be made, it retries the refund; " +
      "ORDER_NOT_CANCELLABLE otherwise (a SHIPPED or DELIVERED order too)",
    handle: async (services, request) =>
      ok(await services.adminOrders.cancelOrder(request.caller, param(request, "id"))),
  }),
  route({
    ...admin,
    method: "GET",
    resource: "/admin/shipping-queue",
    paged: true,
    answers: { 200: "AdminOrderPage" },
    store: "read",
    summary:
      "The paid (COMPLETED) orders waiting to ship, oldest first (limit, cursor -> nextCursor)",
    handle: async (services, request) =>
      ok(await services.fulfilment.listShippingQueue(request.caller, pageOf(request))),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/orders/{id}/ship",
    answers: { 200: "AdminOrder" },
    refusals: ["NOT_FOUND", "ORDER_NOT_SHIPPABLE"],
    store: "write",
    summary:
      "Mark a paid (COMPLETED) order SHIPPED with its carrier, tracking number and optional " +
      "https tracking URL, shipped now: its owner is told over the WebSocket and by e-mail; " +
      "ORDER_NOT_SHIPPABLE (409, naming its state) for an order in any other state",
    body: shipmentBody,
    handle: async (services, request) =>
      ok(await services.fulfilment.shipOrder(request.caller, param(request, "id"), request.body)),
  }),
  route({
    ...admin,
    method: "POST",
    resource: "/admin/orders/{id}/deliver",
    answers: { 200: "AdminOrder" },
    refusals: ["NOT_FOUND", "ORDER_NOT_SHIPPABLE"],
    store: "write",
    summary:
      "Mark a SHIPPED order DELIVERED, delivered now: its owner is told over the WebSocket; " +
      "ORDER_NOT_SHIPPABLE (409, naming its state) for an order in any other state",
    handle: async (services, request) =>
      ok(await services.fulfilment.markDelivered(request.caller, param(request, "id"))),
  }),
  route({
    ...admin,
    method: "GET",
    resource: "/admin/figures",
    answers: { 200: "Figures" },
    store: "read",
    summary:
      "Per product: stock, units in shoppers' carts now, units sold in the last 24 hours and 7 days",
    handle: async (services, request) => ok(await services.adminCatalogue.figures(request.caller)),
  }),
  route({
    ...admin,
    method: "GET",
    resource: "/admin/shipping",
    answers: { 200: "ShippingSettings" },
    store: "read",
    summary:
      "The shipping zones (countries) and their methods (price, free above, delivery days), " +
      "with the version to save from",
    handle: async (services, request) =>
      ok(await services.shopSettings.shippingSettings(request.caller)),
  }),
  route({
    ...admin,
    method: "PUT",
    resource: "/admin/shipping",
    answers: { 200: "ShippingSettings" },
    refusals: ["VALIDATION_FAILED", "SETTINGS_CHANGED"],
    store: "write",
    summary:
      "Replace the shipping zones and methods, sending the version read: SETTINGS_CHANGED (409) " +
      "when another save replaced it since; a country may be in one zone only. Checkouts on " +
      "other instances see the change within a minute",
    body: shippingSettingsBody,
    handle: async (services, request) =>
      ok(await services.shopSettings.saveShippingSettings(request.caller, request.body)),
  }),
  route({
    ...admin,
    method: "GET",
    resource: "/admin/tax",
    answers: { 200: "TaxSettings" },
    store: "read",
    summary:
      "The tax rates (per country, and per region on top), whether prices include tax and " +
      "whether shipping is taxed, with the version to save from",
    handle: async (services, request) =>
      ok(await services.shopSettings.taxSettings(request.caller)),
  }),
  route({
    ...admin,
    method: "PUT",
    resource: "/admin/tax",
    answers: { 200: "TaxSettings" },
    refusals: ["VALIDATION_FAILED", "SETTINGS_CHANGED"],
    store: "write",
    summary:
      "Replace the tax rates (ratePpm: parts per million, 19 % is 190000), mode (inclusive or " +
      "exclusive) and taxShipping, sending the version read: SETTINGS_CHANGED (409) when " +
      "another save replaced it since. Orders already placed keep their rates",
    body: taxSettingsBody,
    handle: async (services, request) =>
      ok(await services.shopSettings.saveTaxSettings(request.caller, request.body)),
  }),
];
