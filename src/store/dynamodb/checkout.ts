// Checkout: the one TransactWriteItems that records the idempotency key, empties the cart, takes
// the stock and inserts the order, how its cancellation reasons become refusals, and the status
// change that gives a failed order's stock back.
import {
  awaitsShipping,
  cartChanged,
  isFinalStatus,
  type Order,
  outboxMessageOf,
  outOfStock,
  type PlaceOrderCommand,
  type PricedLine,
  priceChanged,
  returnsStock,
  storeUnavailable,
  transitionOrder,
} from "../../domain/index.js";
import type { OrderStatusChange, PlaceOrderResult } from "../../services/index.js";
import {
  guestOrderIndexItem,
  idempotencyKeyItem,
  mailItem,
  orderFrom,
  orderItem,
  pickOrder,
  toShipKeys,
} from "./items.js";
import { type PromotionUse, promotionUse, requirePromotionLeft } from "./promotion-uses.js";
import {
  batchGetItems,
  freshStock,
  getItem,
  noteStockChange,
  productsByIds,
  stockHint,
  type Table,
} from "./reads.js";
import { failed, refusalOf, transact } from "./retries.js";
import {
  blindPlan,
  plannedTakes,
  returnStockItem,
  type ShardTake,
  stockShardsOf,
  takeStockItem,
  totalOf,
} from "./stock.js";
import { keys, shardOf } from "./table.js";

/** What one checkout takes of one product: its lines added up, at the price they were given. */
interface Take {
  productId: string;
  quantity: number;
  unitPriceCents: number;
  /** Two lines of the product disagree on its price, so at least one of them is stale. */
  pricesDisagree: boolean;
}

function takesOf(lines: readonly PricedLine[]): Take[] {
  const takes = new Map<string, Take>();
  for (const line of lines) {
    const take = takes.get(line.productId);
    if (take === undefined) {
      takes.set(line.productId, {
        productId: line.productId,
        quantity: line.quantity,
        unitPriceCents: line.unitPriceCents,
        pricesDisagree: false,
      });
    } else {
      take.quantity += line.quantity;
      take.pricesDisagree ||= take.unitPriceCents !== line.unitPriceCents;
    }
  }
  return [...takes.values()];
}

/**
 * How often checkout plans its takes again after a shard held less than it planned to take.
 * Each such miss means another checkout took those units, so the shop moves on; the bound only
 * stops a checkout that keeps losing from trying for ever (it answers STORE_UNAVAILABLE).
 */
const PLAN_MAX_ATTEMPTS = 10;

export async function placeOrder(
  table: Table,
  command: PlaceOrderCommand,
): Promise<PlaceOrderResult> {
  const { order } = command;
  const takes = takesOf(order.lines);
  const disagreeing = takes.find((take) => take.pricesDisagree);
  if (disagreeing !== undefined) {
    // No condition can hold for two prices at once: answer without writing.
    const first = await orderByKey(table, order.userId, order.idempotencyKey);
    if (first !== undefined) return { placed: false, order: first };
    throw priceChanged(disagreeing.productId);
  }

  let promotion: PromotionUse = promotionUse(table, command);
  const guestIndex = guestOrderIndexItem(order);
  const placed = outboxMessageOf(order, order.createdAt);
  if (placed === undefined) throw new Error(`order ${order.id} is placed as ${order.status}`);
  const placedMail = mailItem(placed, table.layout);
  let plans = await firstPlans(table, takes);
  for (let attempt = 1; ; attempt++) {
    // ONE TransactWriteItems, so the key, the cart, the stock, the promotion's uses and the
    // order cannot diverge. Item order matters: the cancellation reasons come back in that order.
    const stockTakes = plans.flat();
    const items = [
      recordKey(table, order),
      checkAndEmptyCart(table, command),
      ...stockTakes.map((take) => takeStockItem(table.name, take)),
      {
        Put: {
          TableName: table.name,
          Item: orderItem(order, table.layout),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      // Where the operators find the order by its id alone.
      {
        Put: {
          TableName: table.name,
          Item: { ...keys.orderPointer(order.id), type: "ORDER_POINTER", userId: order.userId },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      ...promotion.items,
      // Last, and unconditional: where an account that confirms the guest's address finds it,
      // and the order's e-mail (the order's own condition makes both new).
      ...(guestIndex === undefined ? [] : [{ Put: { TableName: table.name, Item: guestIndex } }]),
      { Put: { TableName: table.name, Item: placedMail } },
    ];
    // A big cart whose last units are scattered over many shards can need more items than one
    // transaction holds: a shopper's retry plans again, or an operator re-splits the stock.
    if (items.length > TRANSACTION_MAX_ITEMS) {
      throw storeUnavailable(
        new Error(`a checkout of ${items.length} items needs two transactions`),
      );
    }
    const outcome = await transact(table.documents, items);
    if (outcome.written) {
      for (const take of stockTakes) {
        noteStockChange(table, take.productId, take.shard, -take.quantity);
      }
      return { placed: true, order: pickOrder(order) };
    }
    if (outcome.contended) return refusalFromCurrentState(table, command, takes, outcome.error);

    const [keyReason, cartReason, ...rest] = outcome.reasons;
    if (failed(keyReason)) {
      const orderId = keyReason?.Item?.orderId;
      const first =
        typeof orderId !== "string"
          ? await orderByKey(table, order.userId, order.idempotencyKey)
          : await orderOfKey(table, order.userId, orderId);
      if (first === undefined) throw new Error("an idempotency key points to no order");
      return { placed: false, order: first };
    }
    if (failed(cartReason)) throw cartChanged();
    const short = new Set(
      stockTakes.filter((_, index) => failed(rest[index])).map((take) => take.productId),
    );
    if (short.size > 0) {
      // A shard held less than planned (or the price, or the catalogue, changed): plan again
      // from what the shards hold now, which also says whether the refusal is real.
      if (attempt >= PLAN_MAX_ATTEMPTS) throw storeUnavailable(outcome.error);
      try {
        plans = await replan(table, order, takes, plans, short);
      } catch (refusal) {
        const replay = await replayed(table, order);
        if (replay !== undefined) return replay;
        throw refusal;
      }
      continue;
    }
    const after = rest.slice(stockTakes.length);
    if (failed(after[0]) || failed(after[1])) {
      throw new Error(`order ${order.id} already exists`);
    }
    const promotionReasons = after.slice(2, 2 + promotion.items.length);
    if (promotionReasons.some(failed)) {
      // Refused, or the promotion's shard picked is full while another has room: again there.
      try {
        promotion = await promotion.retry(promotionReasons.map((reason) => failed(reason)));
      } catch (refusal) {
        const replay = await replayed(table, order);
        if (replay !== undefined) return replay;
        throw refusal;
      }
      continue;
    }
    throw outcome.error;
  }
}

/** DynamoDB's most items in one TransactWriteItems. */
const TRANSACTION_MAX_ITEMS = 100;

/**
 * The order another request with the same Idempotency-Key placed while this one planned again:
 * a retry's refusal gives way to it.
 */
async function replayed(table: Table, order: Order): Promise<PlaceOrderResult | undefined> {
  const first = await orderByKey(table, order.userId, order.idempotencyKey);
  return first === undefined ? undefined : { placed: false, order: first };
}

/**
 * The first plan of each take, from the shards as this process last read them (a checkout has
 * just priced its cart, so it did): one that held enough, at random, else the fullest ones, else
 * one at random. Products this process never read are read first.
 */
async function firstPlans(table: Table, takes: readonly Take[]): Promise<ShardTake[][]> {
  const unknown = takes.filter((take) => stockHint(table, take.productId) === undefined);
  if (unknown.length > 0) {
    await freshStock(
      table,
      unknown.map((take) => take.productId),
    );
  }
  return takes.map((take) => {
    const hint = stockHint(table, take.productId);
    if (hint === undefined) return [{ ...take, shard: -1 }];
    return plannedTakes(take, hint) ?? blindPlan(take, hint.shards);
  });
}

/**
 * The takes of the products in `short` planned again from their shards read now, strongly
 * consistent; the others' plans stay. Refuses as checkout does when the product left the
 * catalogue, changed price, or has less in all its shards together than the order needs.
 */
async function replan(
  table: Table,
  order: Order,
  takes: readonly Take[],
  plans: ShardTake[][],
  short: ReadonlySet<string>,
): Promise<ShardTake[][]> {
  const fresh = await freshStock(table, [...short]);
  return takes.map((take, index) => {
    if (!short.has(take.productId)) return plans[index] ?? [];
    const now = fresh.get(take.productId);
    if (
      now === undefined ||
      now.item.archived === true ||
      Number(now.item.priceCents) !== take.unitPriceCents
    ) {
      throw priceChanged(take.productId);
    }
    const planned = plannedTakes(take, now.stock);
    if (planned === undefined) {
      const name = typeof now.item.name === "string" ? now.item.name : take.productId;
      throw outOfStock({ id: take.productId, name, stock: totalOf(now.stock) }, order.lines);
    }
    return planned;
  });
}

/** The key item: its condition makes a reused key cancel the transaction, naming the order. */
function recordKey(table: Table, order: Order) {
  return {
    Put: {
      TableName: table.name,
      Item: idempotencyKeyItem(order),
      ConditionExpression: "attribute_not_exists(PK)",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
    },
  };
}

/** The cart a checkout priced: the guest cart of a guest's checkout, else the user's. */
const cartKeyOf = ({ order, guestCartTokenHash }: PlaceOrderCommand) =>
  guestCartTokenHash === undefined ? keys.cart(order.userId) : keys.guestCart(guestCartTokenHash);

/** A missing cart is version 0: checked to still be missing, and left so. */
function checkAndEmptyCart(table: Table, command: PlaceOrderCommand) {
  const { order, cartVersion } = command;
  const Key = cartKeyOf(command);
  if (cartVersion === 0) {
    return {
      ConditionCheck: {
        TableName: table.name,
        Key,
        ConditionExpression: "attribute_not_exists(PK)",
      },
    };
  }
  return {
    Update: {
      TableName: table.name,
      Key,
      ConditionExpression: "#version = :version",
      UpdateExpression:
        "SET #lines = :empty, #version = :next, #updatedAt = :updatedAt " +
        "REMOVE #promotionCode, GSI2PK, GSI2SK",
      ExpressionAttributeNames: {
        "#version": "version",
        "#lines": "lines",
        "#updatedAt": "updatedAt",
        "#promotionCode": "promotionCode",
      },
      ExpressionAttributeValues: {
        ":version": cartVersion,
        ":next": cartVersion + 1,
        ":empty": [],
        ":updatedAt": order.createdAt,
      },
    },
  };
}

/**
 * The answer for a checkout that kept meeting other transactions: whatever the state read now
 * refuses it with, as the transaction's own checks would; STORE_UNAVAILABLE when it would pass.
 */
async function refusalFromCurrentState(
  table: Table,
  command: PlaceOrderCommand,
  takes: readonly Take[],
  cause: unknown,
): Promise<PlaceOrderResult> {
  const { order, cartVersion } = command;
  const first = await orderByKey(table, order.userId, order.idempotencyKey);
  if (first !== undefined) return { placed: false, order: first };
  const cart = await getItem(table, cartKeyOf(command));
  if (Number(cart?.version ?? 0) !== cartVersion) throw cartChanged();
  const products = new Map(
    (
      await productsByIds(
        table,
        takes.map((take) => take.productId),
        true,
      )
    ).map((p) => [p.id, p]),
  );
  for (const take of takes) {
    const product = products.get(take.productId);
    if (product === undefined || product.priceCents !== take.unitPriceCents) {
      throw priceChanged(take.productId);
    }
    if (product.stock < take.quantity) throw outOfStock(product, order.lines);
  }
  await requirePromotionLeft(table, order);
  throw storeUnavailable(cause);
}

/**
 * Moves an order one step, conditional on the status read; going to FAILED or CANCELLED puts
 * back the stock the order took, and a step the customer is told of puts its e-mail in the
 * outbox, in the same transaction. Undefined when the status was another.
 */
export async function changeOrderStatus(
  table: Table,
  change: OrderStatusChange,
): Promise<Order | undefined> {
  const current = await orderById(table, change.userId, change.orderId);
  if (current === undefined || current.status !== change.from) return undefined;
  const { failureReason, shipment, deliveredAt } = change;
  const changed = transitionOrder(current, change.to, { failureReason, shipment, deliveredAt });
  const set = ["#status = :to"];
  const remove: string[] = [];
  const names: Record<string, string> = { "#status": "status", "#failureReason": "failureReason" };
  const values: Record<string, unknown> = { ":from": change.from, ":to": change.to };
  if (failureReason === undefined) remove.push("#failureReason");
  else {
    set.push("#failureReason = :reason");
    values[":reason"] = failureReason;
  }
  if (shipment !== undefined) {
    set.push("#shipment = :shipment");
    names["#shipment"] = "shipment";
    values[":shipment"] = changed.shipment;
  }
  if (deliveredAt !== undefined) {
    set.push("#deliveredAt = :deliveredAt");
    names["#deliveredAt"] = "deliveredAt";
    values[":deliveredAt"] = deliveredAt;
  }
  // A paid order joins the shipping queue (GSI1, table.ts); any other finished one leaves GSI1
  // (the in-flight orders, or the queue once it ships or is cancelled).
  const queueKeys = awaitsShipping(change.to) ? toShipKeys(current, table.layout) : undefined;
  if (queueKeys !== undefined) {
    set.push("GSI1PK = :queue", "GSI1SK = :queueSort");
    values[":queue"] = queueKeys.GSI1PK;
    values[":queueSort"] = queueKeys.GSI1SK;
  } else if (isFinalStatus(change.to)) {
    remove.push("GSI1PK", "GSI1SK");
  }
  // Conditional on the status read: of two deliveries racing, exactly one moves the order.
  const updateOrder = {
    Update: {
      TableName: table.name,
      Key: keys.order(change.userId, change.orderId),
      ConditionExpression: "#status = :from",
      UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
  // FAILED or CANCELLED: the status and the stock put back in ONE TransactWriteItems, so such an
  // order can never keep the stock it took, nor give it back twice.
  const returns = returnsStock(change.to) ? await stockReturns(table, current) : [];
  // Unconditional: the status condition lets each step happen once, so its message is new.
  const message = outboxMessageOf(changed, change.at ?? new Date().toISOString());
  const outcome = await transact(table.documents, [
    updateOrder,
    ...returns.map((item) => item.write),
    ...(message === undefined
      ? []
      : [{ Put: { TableName: table.name, Item: mailItem(message, table.layout) } }]),
  ]);
  if (!outcome.written) {
    // The status moved since it was read: another delivery got there first.
    if (!outcome.contended && failed(outcome.reasons[0])) return undefined;
    throw refusalOf(outcome);
  }
  for (const { productId, shard, quantity } of returns.map((item) => item.given)) {
    noteStockChange(table, productId, shard, quantity);
  }
  return changed;
}

/**
 * The items that give an order's stock back: each product's to one of its shards, chosen by the
 * order's id (the shards add up, so which one does not matter), or to its own item before
 * sharding.
 */
async function stockReturns(table: Table, order: Order) {
  const takes = takesOf(order.lines);
  const products = new Map(
    (
      await batchGetItems(
        table,
        takes.map((take) => keys.product(take.productId)),
        true,
      )
    ).map((item) => [String(item.id), item]),
  );
  return takes.map((take) => {
    const product = products.get(take.productId);
    const shards = product === undefined ? 0 : stockShardsOf(product);
    const shard = shards === 0 ? -1 : shardOf(order.id, shards);
    return {
      write: returnStockItem(table.name, take.productId, shard, take.quantity),
      given: { productId: take.productId, shard, quantity: take.quantity },
    };
  });
}

export async function orderById(
  table: Table,
  userId: string,
  orderId: string,
): Promise<Order | undefined> {
  const item = await getItem(table, keys.order(userId, orderId));
  return item === undefined ? undefined : orderFrom(item);
}

export async function orderByKey(
  table: Table,
  userId: string,
  key: string,
): Promise<Order | undefined> {
  const record = await getItem(table, keys.idempotencyKey(userId, key));
  if (typeof record?.orderId !== "string") return undefined;
  return orderOfKey(table, userId, record.orderId);
}

/**
 * The order an idempotency key of `userId` names: in `userId`'s partition, or, for a guest's
 * order attached to an account since (the key stays with the guest), where its pointer says.
 */
async function orderOfKey(
  table: Table,
  userId: string,
  orderId: string,
): Promise<Order | undefined> {
  const order = await orderById(table, userId, orderId);
  if (order !== undefined) return order;
  const pointer = await getItem(table, keys.orderPointer(orderId));
  return typeof pointer?.userId === "string" && pointer.userId !== userId
    ? orderById(table, pointer.userId, orderId)
    : undefined;
}
