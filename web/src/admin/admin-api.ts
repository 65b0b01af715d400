import { apiBaseUrl, request } from "../api/http.js";
import { ApiError, networkError, problemFrom } from "../api/problem.js";
import type { Order, OrderStatus } from "../api/types.js";

// The operators' API (README, "Running the shop"). Loaded with the admin pages only.

export interface ManagedProduct {
  id: string;
  name: string;
  description: string;
  imageUrl: string;
  priceCents: number;
  currency: string;
  stock: number;
  archived: boolean;
}

export interface StockAdjustment {
  id: string;
  delta: number;
  reason: string;
  note: string | null;
  actor: string;
  createdAt: string;
  stockAfter: number;
}

export interface Promotion {
  code: string;
  percentOff: number;
  validFrom: string | null;
  validUntil: string | null;
  maxUses: number | null;
  maxUsesPerCustomer: number | null;
  active: boolean;
  uses: number;
}

export interface AdminOrder extends Order {
  userId: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Figures {
  generatedAt: string;
  products: {
    id: string;
    name: string;
    stock: number;
    unitsInCarts: number;
    unitsSold24h: number;
    unitsSold7d: number;
  }[];
}

const path = (id: string) => encodeURIComponent(id);
const query = (values: Record<string, string | number | undefined>) => {
  const given = Object.entries(values).filter(([, value]) => value !== undefined);
  return given.length === 0
    ? ""
    : `?${new URLSearchParams(given.map(([key, value]) => [key, String(value)]))}`;
};

export const listProducts = () => request<ManagedProduct[]>("/admin/products", { auth: true });

export const createProduct = (input: {
  name: string;
  description: string;
  priceCents: number;
  imageUrl: string;
  stock: number;
}) => request<ManagedProduct>("/admin/products", { method: "POST", body: input, auth: true });

export const updateProduct = (
  id: string,
  changes: { name?: string; description?: string; priceCents?: number; imageUrl?: string },
) =>
  request<ManagedProduct>(`/admin/products/${path(id)}`, {
    method: "PATCH",
    body: changes,
    auth: true,
  });

export const archiveProduct = (id: string) =>
  request<ManagedProduct>(`/admin/products/${path(id)}/archive`, { method: "POST", auth: true });

export const adjustStock = (id: string, input: { delta: number; reason: string; note?: string }) =>
  request<StockAdjustment>(`/admin/products/${path(id)}/stock-adjustments`, {
    method: "POST",
    body: input,
    auth: true,
  });

export const listAdjustments = (id: string, cursor?: string) =>
  request<Page<StockAdjustment>>(
    `/admin/products/${path(id)}/stock-adjustments${query({ limit: 20, cursor })}`,
    { auth: true },
  );

export const listPromotions = () => request<Promotion[]>("/admin/promotions", { auth: true });

export const createPromotion = (input: {
  code: string;
  percentOff: number;
  validFrom?: string;
  validUntil?: string;
  maxUses?: number;
  maxUsesPerCustomer?: number;
}) => request<Promotion>("/admin/promotions", { method: "POST", body: input, auth: true });

export const deactivatePromotion = (code: string) =>
  request<Promotion>(`/admin/promotions/${path(code)}/deactivate`, { method: "POST", auth: true });

export const listOrders = (status: OrderStatus | undefined, cursor?: string) =>
  request<Page<AdminOrder>>(`/admin/orders${query({ status, limit: 20, cursor })}`, { auth: true });

export const cancelOrder = (id: string) =>
  request<{ order: AdminOrder; refund: { refunded: boolean; amountCents?: number } | null }>(
    `/admin/orders/${path(id)}/cancel`,
    { method: "POST", auth: true },
  );

export const figures = () => request<Figures>("/admin/figures", { auth: true });

/**
 * Uploads an image in two steps: the API signs a one-time PUT for its type and size, then the
 * browser sends the bytes there (the dev server locally, S3 in AWS). Answers its imageUrl.
 */
export async function uploadImage(file: File): Promise<string> {
  const upload = await request<{
    uploadUrl: string;
    headers: Record<string, string>;
    imageUrl: string;
  }>("/admin/uploads", {
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
