import { describe, expect, it } from "vitest";
import { spaFallback as handler } from "../../helpers/site.js";

const uriFor = (uri: string) => handler({ request: { uri, method: "GET" } }).uri;

describe("the storefront's SPA fallback at the edge", () => {
  it("answers the page's paths with index.html", () => {
    for (const page of [
      "/",
      "/basket",
      "/sign-up",
      "/item/lonely-bird",
      "/account/orders",
      "/account/orders/",
      "/account/orders/01HZX3",
      "/no-such-page",
    ]) {
      expect(uriFor(page), page).toBe("/index.html");
    }
  });

  it("passes files through, so a missing asset or image stays a 404", () => {
    for (const file of [
      "/index.html",
      "/config.json",
      "/favicon.svg",
      "/assets/index-B4x9Qz1e.js",
      "/images/lonely-bird.svg",
      "/assets/missing-0000.js",
    ]) {
      expect(uriFor(file), file).toBe(file);
    }
  });

  it("returns the request it was given, with only its uri changed", () => {
    expect(handler({ request: { uri: "/basket", method: "HEAD" } })).toEqual({
      uri: "/index.html",
      method: "HEAD",
    });
  });
});
