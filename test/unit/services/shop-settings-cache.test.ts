// The per-process cache of the shop's settings: every checkout needs them, and on DynamoDB they
// are one partition, so the store is read once per period per process, whatever the traffic.
import { describe, expect, it } from "vitest";
import {
  createShopSettingsService,
  SHOP_SETTINGS_CACHE_MS,
} from "../../../src/services/shop-settings.js";
import { MemoryStore } from "../../../src/store/memory-store.js";
import { SAMPLE_SHIPPING } from "../../helpers/admin-samples.js";

const OPERATOR = { userId: "op", username: "op", groups: ["admin"] };

function counted() {
  const store = new MemoryStore();
  let reads = 0;
  const getShopConfig = store.getShopConfig.bind(store);
  store.getShopConfig = () => {
    reads += 1;
    return getShopConfig();
  };
  let nowMs = Date.parse("2026-05-01T12:00:00.000Z");
  const clock = { now: () => new Date(nowMs) };
  const service = createShopSettingsService({ store, clock });
  return {
    store,
    service,
    reads: () => reads,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe("the shop settings' cache", () => {
  it("reads the store once per period, concurrent misses included", async () => {
    const { service, reads, advance } = counted();
    await Promise.all(Array.from({ length: 50 }, () => service.shippingMethods({ country: "DE" })));
    expect(reads()).toBe(1);
    advance(SHOP_SETTINGS_CACHE_MS - 1);
    await service.current();
    expect(reads()).toBe(1);
    advance(1);
    await service.current();
    expect(reads()).toBe(2);
  });

  it("forgets what it read when this process saves, so the saver sees the change at once", async () => {
    const { service } = counted();
    expect((await service.shippingMethods({ country: "FR" })).methods).not.toEqual([]);
    await service.saveShippingSettings(OPERATOR, { ...SAMPLE_SHIPPING, version: 1 });
    await expect(service.shippingMethods({ country: "FR" })).rejects.toMatchObject({
      code: "NOT_SHIPPABLE",
    });
  });

  it("does not keep a failed read", async () => {
    const { store, service } = counted();
    const getShopConfig = store.getShopConfig;
    store.getShopConfig = () => Promise.reject(new Error("down"));
    await expect(service.current()).rejects.toThrow("down");
    store.getShopConfig = getShopConfig;
    expect((await service.current()).shipping.version).toBe(1);
  });

  it("never serves the operators from the cache", async () => {
    const { store, service } = counted();
    await service.current();
    await store.saveTaxSettings({
      rates: [],
      mode: "inclusive",
      taxShipping: false,
      expectedVersion: 1,
      updatedAt: "2026-05-01T12:00:00.000Z",
    });
    expect((await service.taxSettings(OPERATOR)).version).toBe(2);
    expect((await service.current()).tax.version).toBe(1);
  });
});
