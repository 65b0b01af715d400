// Guest carts: `GUEST#<sha256>/CART` items that expire by TTL, and their merge into a user's cart.
import { type Cart, type GuestCart, mergeConflict } from "../../domain/index.js";
import type {
  CreateGuestCartCommand,
  MergeGuestCartCommand,
  SaveGuestCartCommand,
} from "../../services/index.js";
import {
  cartItem,
  cartLinesOf,
  cartListKeys,
  guestCartFrom,
  guestCartItem,
  secondsOf,
} from "./items.js";
import { getItem, type Table } from "./reads.js";
import { isConditionFailure, transactOrRefuse } from "./retries.js";
import { keys, TIME_TO_LIVE_ATTRIBUTE } from "./table.js";

export async function createGuestCart(
  table: Table,
  command: CreateGuestCartCommand,
): Promise<GuestCart> {
  const cart: GuestCart = { ...command, lines: [], version: 1 };
  try {
    await table.documents.put({
      TableName: table.name,
      Item: guestCartItem(cart),
      ConditionExpression: "attribute_not_exists(PK)",
    });
  } catch (error) {
    if (isConditionFailure(error)) throw new Error("the guest cart already exists");
    throw error;
  }
  return cart;
}

export async function getGuestCart(
  table: Table,
  tokenHash: string,
  nowSeconds: number,
): Promise<GuestCart | undefined> {
  const item = await getItem(table, keys.guestCart(tokenHash));
  if (item === undefined) return undefined;
  const cart = guestCartFrom(item);
  // TTL deletes late: an expired cart is gone as far as anyone can tell.
  return cart.expiresAt <= nowSeconds ? undefined : cart;
}

export async function saveGuestCart(
  table: Table,
  command: SaveGuestCartCommand,
): Promise<GuestCart | undefined> {
  const hasCode = command.promotionCode !== undefined;
  const listKeys = cartListKeys(keys.guestCart(command.tokenHash), table.layout);
  try {
    const { Attributes } = await table.documents.update({
      TableName: table.name,
      Key: keys.guestCart(command.tokenHash),
      // Only a live cart: a late save must not bring back a merged or expired one.
      ConditionExpression: "attribute_exists(PK) AND #expiresAt > :now",
      UpdateExpression:
        "SET #lines = :lines, #updatedAt = :updatedAt, #expiresAt = :expiresAt, " +
        "#version = #version + :one, GSI2PK = :carts, GSI2SK = :cartKey" +
        (hasCode ? ", #promotionCode = :promotionCode" : " REMOVE #promotionCode"),
      ExpressionAttributeNames: {
        "#lines": "lines",
        "#updatedAt": "updatedAt",
        "#expiresAt": TIME_TO_LIVE_ATTRIBUTE,
        "#version": "version",
        "#promotionCode": "promotionCode",
      },
      ExpressionAttributeValues: {
        ":lines": cartLinesOf(command.lines),
        ":updatedAt": command.updatedAt,
        ":expiresAt": command.expiresAt,
        ":now": secondsOf(command.updatedAt),
        ":one": 1,
        ":carts": listKeys.GSI2PK,
        ":cartKey": listKeys.GSI2SK,
        ...(hasCode ? { ":promotionCode": command.promotionCode } : {}),
      },
      ReturnValues: "ALL_NEW",
    });
    if (Attributes === undefined) throw new Error("saving a guest cart returned no attributes");
    return guestCartFrom(Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export async function mergeGuestCart(table: Table, command: MergeGuestCartCommand): Promise<Cart> {
  const cart: Cart = {
    userId: command.userId,
    lines: cartLinesOf(command.lines),
    ...(command.promotionCode === undefined ? {} : { promotionCode: command.promotionCode }),
    version: command.userCartVersion + 1,
    updatedAt: command.updatedAt,
  };
  // ONE TransactWriteItems, each side conditional on the version it was merged from: the
  // guest cart's lines are added to exactly one user cart, exactly once. Refused by a condition,
  // or still contended after the retries: either way one of the carts is moving, and the caller
  // merges again from what it reads next.
  await transactOrRefuse(
    table.documents,
    [
      {
        Put: {
          TableName: table.name,
          Item: cartItem(cart, table.layout),
          ...(command.userCartVersion === 0
            ? { ConditionExpression: "attribute_not_exists(PK)" }
            : {
                ConditionExpression: "#version = :version",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":version": command.userCartVersion },
              }),
        },
      },
      {
        Delete: {
          TableName: table.name,
          Key: keys.guestCart(command.tokenHash),
          ConditionExpression: "attribute_exists(PK) AND #version = :version AND #expiresAt > :now",
          ExpressionAttributeNames: {
            "#version": "version",
            "#expiresAt": TIME_TO_LIVE_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ":version": command.guestCartVersion,
            ":now": secondsOf(command.updatedAt),
          },
        },
      },
    ],
    [mergeConflict, mergeConflict],
    mergeConflict,
  );
  return cart;
}
