import {
  assertShippingConfiguration,
  assertTaxRates,
  isAppError,
  type ShippingMethod,
  type ShippingZone,
  settingsChanged,
  type TaxMode,
  type TaxRate,
} from "../../domain/index.js";
import {
  type SaveShippingCommand,
  type SaveTaxCommand,
  type ShippingSettings,
  type ShopConfig,
  type TaxSettings,
  unsavedShopConfig,
} from "../../services/index.js";
import { seedShopConfig } from "../seed-checkout.js";
import type { Item } from "./items.js";
import { queryAll, type Table } from "./reads.js";
import { isConditionFailure } from "./retries.js";
import { keys, SHOP_CONFIG_PARTITION } from "./table.js";

// The shop's shipping and tax settings: two items of the SHOP_CONFIG partition (SK SHIPPING and
// TAX), each a whole document with its version. Every checkout needs them, so this partition is
// read by every checkout that misses the services' per-process cache (`shop-settings.ts`): its
// reads scale with Lambda instances, not with checkouts, and only operators ever write it.

type Part = "SHIPPING" | "TAX";

const stamp = (item: Item) => ({
  version: item.version as number,
  ...(typeof item.updatedAt === "string" ? { updatedAt: item.updatedAt } : {}),
});

/** Both documents in one strongly consistent Query (two small items, one round trip). */
export async function getShopConfig(table: Table): Promise<ShopConfig> {
  const config = unsavedShopConfig();
  const items = await queryAll(table, {
    KeyConditionExpression: "PK = :config",
    ExpressionAttributeValues: { ":config": SHOP_CONFIG_PARTITION },
    ConsistentRead: true,
  });
  for (const item of items) {
    if (item.SK === "SHIPPING") {
      config.shipping = {
        zones: item.zones as ShippingZone[],
        methods: item.methods as ShippingMethod[],
        ...stamp(item),
      };
    } else if (item.SK === "TAX") {
      config.tax = {
        rates: item.rates as TaxRate[],
        mode: item.mode as TaxMode,
        taxShipping: item.taxShipping === true,
        ...stamp(item),
      };
    }
  }
  return config;
}

/**
 * One conditional PutItem: written only if the item is still at `expectedVersion` (absent for
 * 0), so of two saves from one version one wins and the other is SETTINGS_CHANGED.
 */
async function putDocument(
  table: Table,
  part: Part,
  document: Record<string, unknown>,
  expectedVersion: number,
  updatedAt: string | undefined,
): Promise<void> {
  try {
    await table.documents.put({
      TableName: table.name,
      Item: {
        ...keys.shopSettings(part),
        type: "SHOP_SETTINGS",
        ...document,
        version: expectedVersion + 1,
        ...(updatedAt === undefined ? {} : { updatedAt }),
      },
      ...(expectedVersion === 0
        ? { ConditionExpression: "attribute_not_exists(PK)" }
        : {
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": expectedVersion },
          }),
    });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw settingsChanged(
      part === "SHIPPING" ? "shipping settings" : "tax settings",
      expectedVersion,
    );
  }
}

// Plain data only: JSON drops what DynamoDB could not hold (undefined optional fields).
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export async function saveShippingSettings(
  table: Table,
  command: SaveShippingCommand,
): Promise<ShippingSettings> {
  assertShippingConfiguration(command.zones, command.methods);
  const { zones, methods, expectedVersion, updatedAt } = plain(command);
  await putDocument(table, "SHIPPING", { zones, methods }, expectedVersion, updatedAt);
  return { zones, methods, version: expectedVersion + 1, updatedAt };
}

export async function saveTaxSettings(table: Table, command: SaveTaxCommand): Promise<TaxSettings> {
  assertTaxRates(command.rates);
  const { rates, mode, taxShipping, expectedVersion, updatedAt } = plain(command);
  await putDocument(table, "TAX", { rates, mode, taxShipping }, expectedVersion, updatedAt);
  return { rates, mode, taxShipping, version: expectedVersion + 1, updatedAt };
}

/**
 * Seeds the demo settings where a document was never saved (each put only if absent, so an
 * operator's save is never undone): where the catalogue is seeded, on new and existing tables.
 */
export async function seedShopSettings(table: Table): Promise<void> {
  const { shipping, tax } = seedShopConfig();
  const seeds: [Part, Record<string, unknown>][] = [
    ["SHIPPING", { zones: shipping.zones, methods: shipping.methods }],
    ["TAX", { rates: tax.rates, mode: tax.mode, taxShipping: tax.taxShipping }],
  ];
  for (const [part, document] of seeds) {
    try {
      await putDocument(table, part, plain(document), 0, undefined);
    } catch (error) {
      // Already there: seeded before, or saved by an operator.
      if (!(isAppError(error) && error.code === "SETTINGS_CHANGED")) throw error;
    }
  }
}
