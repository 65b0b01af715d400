import { describe, expect, it } from "vitest";
import { storefrontContentSecurityPolicy } from "../../../src/http/site-files.js";

const ENDPOINTS = ["https://api.example", "wss://ws.example", "https://cognito.example"];

/** The policy's directives by name. */
const directivesOf = (policy: string): Map<string, string[]> =>
  new Map(
    policy.split("; ").map((directive) => {
      const [name = "", ...sources] = directive.split(" ");
      return [name, sources];
    }),
  );

describe("the storefront's CSP", () => {
  it("admits nothing of Stripe's with the demo provider", () => {
    const policy = storefrontContentSecurityPolicy(ENDPOINTS, { stripe: false });
    expect(policy).not.toContain("stripe");
    const directives = directivesOf(policy);
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("connect-src")).toEqual(["'self'", ...ENDPOINTS]);
    // No frame-src: default-src 'self' governs frames.
    expect(directives.has("frame-src")).toBe(false);
    expect(directives.get("default-src")).toEqual(["'self'"]);
  });

  it("admits Stripe.js's script, frames and API with Stripe, and nothing else more", () => {
    const demo = directivesOf(storefrontContentSecurityPolicy(ENDPOINTS, { stripe: false }));
    const stripe = directivesOf(storefrontContentSecurityPolicy(ENDPOINTS, { stripe: true }));
    expect(stripe.get("script-src")).toEqual(["'self'", "https://js.stripe.com"]);
    expect(stripe.get("frame-src")).toEqual(["https://js.stripe.com", "https://hooks.stripe.com"]);
    expect(stripe.get("connect-src")).toEqual(["'self'", ...ENDPOINTS, "https://api.stripe.com"]);
    for (const [name, sources] of demo) {
      if (!["script-src", "connect-src"].includes(name))
        expect(stripe.get(name), name).toEqual(sources);
    }
    // Still no inline script or eval, and still no framing of the shop itself.
    expect(stripe.get("script-src")?.some((source) => source.includes("unsafe"))).toBe(false);
    expect(stripe.get("frame-ancestors")).toEqual(["'none'"]);
  });
});
