import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { SPA_FALLBACK_CODE } from "../../../src/deploy/site.js";

interface ViewerRequest {
  uri: string;
  method: string;
}

// The CloudFront Function's code, run as CloudFront runs it: a global `handler` given the
// viewer-request event, in a context of its own.
const handler = runInNewContext(`${SPA_FALLBACK_CODE}; handler`) as (event: {
  request: ViewerRequest;
}) => ViewerRequest;

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
