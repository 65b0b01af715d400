import type { OrderStatus } from "./api/types.js";

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Integer cents as the visitor's locale writes money: 2999, "USD" → "$29.99". */
export function formatMoney(cents: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (format === undefined) {
    format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    moneyFormats.set(currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(cents / 10 ** digits);
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

export const STATUS_TEXT: Record<OrderStatus, string> = {
  PLACED: "Placed",
  PROCESSING: "Processing payment",
  COMPLETED: "Paid",
  SHIPPED: "Shipped",
  DELIVERED: "Delivered",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
};
