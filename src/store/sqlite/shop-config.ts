import type Database from "better-sqlite3";
import {
  assertShippingConfiguration,
  assertTaxRates,
  type ShippingMethod,
  type ShippingZone,
  settingsChanged,
  type TaxConfig,
  type TaxRate,
} from "../../domain/index.js";
import {
  type SaveShippingCommand,
  type SaveTaxCommand,
  type ShippingSettings,
  type ShopConfig,
  type ShopConfigStore,
  type TaxSettings,
  unsavedShopConfig,
} from "../../services/index.js";
import { seedShopConfig } from "../seed-checkout.js";
import { guarded } from "./shop-store.js";

// The shop's shipping and tax settings: one row per document in `shop_settings`, its body JSON.

type Part = "shipping" | "tax";

interface SettingsRow {
  part: Part;
  document: string;
  version: number;
  updated_at: string | null;
}

type ShippingDocument = { zones: ShippingZone[]; methods: ShippingMethod[] };
type TaxDocument = TaxConfig & { rates: TaxRate[] };

/** The table, created with the schema: `CREATE IF NOT EXISTS` is safe on an existing file. */
export const SHOP_SETTINGS_SCHEMA = `
CREATE TABLE IF NOT EXISTS shop_settings (
  part TEXT PRIMARY KEY CHECK (part IN ('shipping', 'tax')),
  document TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT
);
`;

/**
 * Seeds the demo settings where a document was never saved, a file made before this table
 * included: each row is inserted only when absent, so an operator's save is never undone.
 */
export function seedShopSettings(db: Database.Database): void {
  const { shipping, tax } = seedShopConfig();
  const insert = db.prepare<[Part, string, number]>(
    "INSERT OR IGNORE INTO shop_settings (part, document, version) VALUES (?, ?, ?)",
  );
  insert.run("shipping", JSON.stringify(shippingDocument(shipping)), shipping.version);
  insert.run("tax", JSON.stringify(taxDocument(tax)), tax.version);
}

const shippingDocument = ({ zones, methods }: ShippingDocument): ShippingDocument => ({
  zones,
  methods,
});
const taxDocument = ({ rates, mode, taxShipping }: TaxDocument): TaxDocument => ({
  rates,
  mode,
  taxShipping,
});

const stamp = (row: SettingsRow) => ({
  version: row.version,
  ...(row.updated_at === null ? {} : { updatedAt: row.updated_at }),
});

/** The settings part of the SQLite store; each save is one IMMEDIATE transaction. */
export function sqliteShopConfig(db: Database.Database): ShopConfigStore {
  const all = db.prepare<[], SettingsRow>("SELECT * FROM shop_settings");
  const versionOf = db.prepare<[Part], number>("SELECT version FROM shop_settings WHERE part = ?");
  const upsert = db.prepare<[Part, string, number, string]>(
    "INSERT INTO shop_settings (part, document, version, updated_at) VALUES (?, ?, ?, ?) " +
      "ON CONFLICT (part) DO UPDATE SET document = excluded.document, " +
      "version = excluded.version, updated_at = excluded.updated_at",
  );
  // The version check and the write in one transaction: two saves from one version cannot
  // both pass it, whichever connection or process makes them.
  const save = db.transaction(
    (part: Part, what: string, document: object, expectedVersion: number, updatedAt: string) => {
      const current = versionOf.pluck().get(part) ?? 0;
      if (current !== expectedVersion) throw settingsChanged(what, expectedVersion);
      upsert.run(part, JSON.stringify(document), expectedVersion + 1, updatedAt);
    },
  );
  return {
    async getShopConfig() {
      const config: ShopConfig = unsavedShopConfig();
      for (const row of guarded(() => all.all())) {
        if (row.part === "shipping") {
          config.shipping = { ...(JSON.parse(row.document) as ShippingDocument), ...stamp(row) };
        } else {
          config.tax = { ...(JSON.parse(row.document) as TaxDocument), ...stamp(row) };
        }
      }
      return config;
    },

    async saveShippingSettings(command: SaveShippingCommand): Promise<ShippingSettings> {
      assertShippingConfiguration(command.zones, command.methods);
      const document = shippingDocument(command);
      const { expectedVersion, updatedAt } = command;
      guarded(() =>
        save.immediate("shipping", "shipping settings", document, expectedVersion, updatedAt),
      );
      return { ...document, version: expectedVersion + 1, updatedAt };
    },

    async saveTaxSettings(command: SaveTaxCommand): Promise<TaxSettings> {
      assertTaxRates(command.rates);
      const document = taxDocument(command);
      const { expectedVersion, updatedAt } = command;
      guarded(() => save.immediate("tax", "tax settings", document, expectedVersion, updatedAt));
      return { ...document, version: expectedVersion + 1, updatedAt };
    },
  };
}
