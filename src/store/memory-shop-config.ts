import { assertShippingConfiguration, assertTaxRates, settingsChanged } from "../domain/index.js";
import type {
  SaveShippingCommand,
  SaveTaxCommand,
  ShippingSettings,
  ShopConfig,
  ShopConfigStore,
  TaxSettings,
} from "../services/index.js";
import { seedShopConfig } from "./seed-checkout.js";

/** A deep copy through JSON: the settings are plain data, and callers must never share them. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The memory store's shipping and tax settings: two documents, each replaced whole if still at
 * the version the caller read. Synchronous between the check and the write, so atomic.
 */
export class MemoryShopConfig implements ShopConfigStore {
  private config: ShopConfig;

  constructor(seed: ShopConfig = seedShopConfig()) {
    this.config = copy(seed);
  }

  async getShopConfig(): Promise<ShopConfig> {
    return copy(this.config);
  }

  async saveShippingSettings(command: SaveShippingCommand): Promise<ShippingSettings> {
    assertShippingConfiguration(command.zones, command.methods);
    if (this.config.shipping.version !== command.expectedVersion) {
      throw settingsChanged("shipping settings", command.expectedVersion);
    }
    const { zones, methods, updatedAt } = command;
    const saved = { zones, methods, version: command.expectedVersion + 1, updatedAt };
    this.config = { ...this.config, shipping: copy(saved) };
    return copy(saved);
  }

  async saveTaxSettings(command: SaveTaxCommand): Promise<TaxSettings> {
    assertTaxRates(command.rates);
    if (this.config.tax.version !== command.expectedVersion) {
      throw settingsChanged("tax settings", command.expectedVersion);
    }
    const { rates, mode, taxShipping, updatedAt } = command;
    const saved = { rates, mode, taxShipping, version: command.expectedVersion + 1, updatedAt };
    this.config = { ...this.config, tax: copy(saved) };
    return copy(saved);
  }
}
