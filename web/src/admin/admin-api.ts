import { apiBaseUrl, request } from "../api/http.js";
import { ApiError, networkError, problemFrom } from "../api/problem.js";
import type { components } from "../api/schema.gen.js";
import type { OrderStatus } from "../api/types.js";

// The operators' API (docs/operators.md), typed from the OpenAPI document as the
// shoppers' is (api/types.ts). Loaded with the admin pages only.

type Schemas = components["schemas"];

export type ManagedProduct = Schemas["ManagedProduct"];
export type StockAdjustment = Schemas["StockAdjustment"];
export type Promotion = Schemas["Promotion"];
export type AdminOrder = Schemas["AdminOrder"];
export type Figures = Schemas["Figures"];
export type ShippingSettings = Schemas["ShippingSettings"];
export type ShippingZone = Schemas["ShippingZone"];
export type ShippingMethod = Schemas["ShippingMethod"];
export type TaxSettings = Schemas["TaxSettings"];
export type TaxRate = Schemas["TaxRate"];
export type ShipmentInput = Schemas["ShipmentRequest"];

const path = (id: string) => encodeURIComponent(id);
const query = (values: Record<string, string | number | undefined>) => {
  const given = Object.entries(values).filter(([, value]) => value !== undefined);
  return given.length === 0
    ? ""
    : `?${new URLSearchParams(given.map(([key, value]) => [key, String(value)]))}`;
};

export const listProducts = () =>
  request<Schemas["ManagedProductList"]>("/admin/products", { auth: true });

export const createProduct = (input: Schemas["CreateProductRequest"]) =>
  request<ManagedProduct>("/admin/products", { method: "POST", body: input, auth: true });

export const updateProduct = (id: string, changes: Schemas["UpdateProductRequest"]) =>
  request<ManagedProduct>(`/admin/products/${path(id)}`, {
    method: "PATCH",
    body: changes,
    auth: true,
  });

export const archiveProduct = (id: string) =>
  request<ManagedProduct>(`/admin/products/${path(id)}/archive`, { method: "POST", auth: true });

export const adjustStock = (id: string, input: Schemas["StockAdjustmentRequest"]) =>
  request<StockAdjustment>(`/admin/products/${path(id)}/stock-adjustments`, {
    method: "POST",
    body: input,
    auth: true,
  });

export const listAdjustments = (id: string, cursor?: string) =>
  request<Schemas["StockAdjustmentPage"]>(
    `/admin/products/${path(id)}/stock-adjustments${query({ limit: 20, cursor })}`,
    { auth: true },
  );

export const listPromotions = () =>
  request<Schemas["PromotionList"]>("/admin/promotions", { auth: true });

export const createPromotion = (input: Schemas["CreatePromotionRequest"]) =>
  request<Promotion>("/admin/promotions", { method: "POST", body: input, auth: true });

export const deactivatePromotion = (code: string) =>
  request<Promotion>(`/admin/promotions/${path(code)}/deactivate`, { method: "POST", auth: true });

export const listOrders = (status: OrderStatus | undefined, cursor?: string) =>
  request<Schemas["AdminOrderPage"]>(`/admin/orders${query({ status, limit: 20, cursor })}`, {
    auth: true,
  });

export const getOrder = (id: string) =>
  request<AdminOrder>(`/admin/orders/${path(id)}`, { auth: true });

/** Paid orders waiting to ship, oldest first. */
export const listShippingQueue = (cursor?: string) =>
  request<Schemas["AdminOrderPage"]>(`/admin/shipping-queue${query({ limit: 20, cursor })}`, {
    auth: true,
  });

/** A paid order leaves: 409 ORDER_NOT_SHIPPABLE when it is not paid and waiting. */
export const shipOrder = (id: string, shipment: ShipmentInput) =>
  request<AdminOrder>(`/admin/orders/${path(id)}/ship`, {
    method: "POST",
    body: shipment,
    auth: true,
  });

/** A SHIPPED order arrived: 409 ORDER_NOT_SHIPPABLE for any other. */
export const markDelivered = (id: string) =>
  request<AdminOrder>(`/admin/orders/${path(id)}/deliver`, { method: "POST", auth: true });

export const cancelOrder = (id: string) =>
  request<Schemas["CancelledOrder"]>(`/admin/orders/${path(id)}/cancel`, {
    method: "POST",
    auth: true,
  });

export const figures = () => request<Figures>("/admin/figures", { auth: true });

export const getShippingSettings = () =>
  request<ShippingSettings>("/admin/shipping", { auth: true });

/** Replaces the whole document; 409 SETTINGS_CHANGED when `version` is no longer the latest. */
export const saveShippingSettings = (input: Schemas["ShippingSettingsRequest"]) =>
  request<ShippingSettings>("/admin/shipping", { method: "PUT", body: input, auth: true });

export const getTaxSettings = () => request<TaxSettings>("/admin/tax", { auth: true });

/** Replaces the whole document; 409 SETTINGS_CHANGED when `version` is no longer the latest. */
export const saveTaxSettings = (input: Schemas["TaxSettingsRequest"]) =>
  request<TaxSettings>("/admin/tax", { method: "PUT", body: input, auth: true });

/**
 * Uploads an image in two steps: the API signs a one-time PUT for its type and size, then the
 * browser sends the bytes there (the dev server locally, S3 in AWS). Answers its imageUrl.
 */
export async function uploadImage(file: File): Promise<string> {
  const upload = await request<Schemas["ImageUploadTicket"]>("/admin/uploads", {
    method: "POST",
    body: { contentType: file.type, bytes: file.size },
    auth: true,
  });
  let response: Response;
  try {
    response = await fetch(new URL(upload.uploadUrl, `${apiBaseUrl()}/`), {
      method: "PUT",
      headers: upload.headers,
      body: file,
    });
  } catch {
    throw networkError();
  }
  if (!response.ok) throw await problemFrom(response);
  if (upload.imageUrl === "") {
    throw new ApiError({
      status: 0,
      code: "BAD_RESPONSE",
      title: "Upload",
      detail: "no image URL",
    });
  }
  return upload.imageUrl;
}
