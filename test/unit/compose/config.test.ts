import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/compose/index.js";

describe("the configuration's default CORS origins", () => {
  it("let the page call from the server's own origin and from Vite's dev server, by either loopback name", () => {
    const config = loadConfig({ PORT: "3100" });
    for (const origin of [
      "http://localhost:3100",
      "http://127.0.0.1:3100",
      "http://localhost:5173",
      "http://127.0.0.1:5173",
    ]) {
      expect(config.allowedOrigins).toContain(origin);
    }
  });

  it("are replaced, not extended, by CORS_ORIGINS", () => {
    const config = loadConfig({ CORS_ORIGINS: "https://shop.example.com" });
    expect(config.allowedOrigins).toEqual(["https://shop.example.com"]);
  });
});
