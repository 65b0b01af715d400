import { randomUUID } from "node:crypto";
import { createOrder, type PlaceOrderCommand, priceCart } from "../../src/domain/index.js";
import type { Store } from "../../src/services/index.js";

/**
 * What checkout would ask the store: the user's saved cart priced at the store's current prices
 * (with its promotion, if any), as an order with idempotency key `key` created at `now`. A user
 * without a cart gets an empty order at cart version 0.
 */
export async function orderFromCart(
  store: Store,
  userId: string,
  key: string,
  now: Date,
  options: { orderId?: string } = {},
): Promise<PlaceOrderCommand> {
  const cart = await store.getCart(userId);
  const lines = cart?.lines ?? [];
  const products = await store.getProducts(lines.map((line) => line.productId));
  const promotion =
    cart?.promotionCode === undefined ? undefined : await store.getPromotion(cart.promotionCode);
  const priced = priceCart(lines, new Map(products.map((p) => [p.id, p])), promotion);
  const order = createOrder(priced, {
    id: options.orderId ?? randomUUID(),
    userId,
    createdAt: now.toISOString(),
    idempotencyKey: key,
  });
  return {
    order,
    cartVersion: cart?.version ?? 0,
    ...(promotion === undefined ? {} : { promotion }),
  };
}

/** One Lonely Bird ordered by `userId` at `createdAt`, as order `orderId`: the placed order. */
export async function placeOneBirdAt(
  store: Store,
  userId: string,
  createdAt: string,
  orderId: string,
) {
  await store.saveCart({
    userId,
    lines: [{ productId: "lonely-bird", quantity: 1 }],
    updatedAt: createdAt,
  });
  const command = await orderFromCart(store, userId, orderId, new Date(createdAt), { orderId });
  return (await store.placeOrder(command)).order;
}
