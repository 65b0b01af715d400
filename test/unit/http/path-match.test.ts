import { describe, expect, it } from "vitest";
import { createPathMatcher } from "../../../src/http/index.js";

// The parameter template comes first on purpose: the literal must win whatever the order.
const match = createPathMatcher([
  "/products/{id}",
  "/products",
  "/products/new",
  "/products/{id}/comments",
  "/orders/{id}",
  "/cart",
  "/.well-known/jwks.json",
]);

describe("createPathMatcher", () => {
  it("matches literal resources with no parameters", () => {
    expect(match("/products")).toEqual({ resource: "/products", params: {} });
    expect(match("/cart")).toEqual({ resource: "/cart", params: {} });
    expect(match("/.well-known/jwks.json")).toEqual({
      resource: "/.well-known/jwks.json",
      params: {},
    });
  });

  it("fills path parameters from the matching segments", () => {
    expect(match("/products/lonely-bird")).toEqual({
      resource: "/products/{id}",
      params: { id: "lonely-bird" },
    });
    expect(match("/products/lonely-bird/comments")).toEqual({
      resource: "/products/{id}/comments",
      params: { id: "lonely-bird" },
    });
  });

  it("prefers a literal segment over a parameter, as API Gateway does", () => {
    expect(match("/products/new")).toEqual({ resource: "/products/new", params: {} });
    expect(match("/products/newer")).toEqual({
      resource: "/products/{id}",
      params: { id: "newer" },
    });
  });

  it("percent-decodes parameter values, an encoded slash included", () => {
    expect(match("/products/caf%C3%A9")?.params).toEqual({ id: "café" });
    expect(match("/orders/a%2Fb")).toEqual({ resource: "/orders/{id}", params: { id: "a/b" } });
    expect(match("/orders/two%20words")?.params).toEqual({ id: "two words" });
  });

  it("does not match a parameter that is not valid percent-encoding", () => {
    expect(match("/orders/%E0%A4%A")).toBeUndefined();
    expect(match("/orders/%")).toBeUndefined();
  });

  it("compares literal segments exactly, without decoding or case folding", () => {
    expect(match("/Products")).toBeUndefined();
    expect(match("/car%74")).toBeUndefined();
  });

  it("answers undefined for a path no resource has", () => {
    expect(match("/nope")).toBeUndefined();
    expect(match("/")).toBeUndefined();
    expect(match("")).toBeUndefined();
    expect(match("/products/lonely-bird/comments/1")).toBeUndefined();
    expect(match("/cart/extra")).toBeUndefined();
    expect(match("/orders")).toBeUndefined();
  });

  it("ignores a trailing slash", () => {
    expect(match("/products/")).toEqual({ resource: "/products", params: {} });
    expect(match("/products/lonely-bird/")).toEqual({
      resource: "/products/{id}",
      params: { id: "lonely-bird" },
    });
  });

  it("matches the root only when it is a resource", () => {
    const withRoot = createPathMatcher(["/", "/{id}"]);
    expect(withRoot("/")).toEqual({ resource: "/", params: {} });
    expect(withRoot("/x")).toEqual({ resource: "/{id}", params: { id: "x" } });
  });
  it("keeps empty segments, so a doubled slash or a host-like path matches nothing", () => {
    expect(match("//cart")).toBeUndefined();
    expect(match("/products//comments")).toBeUndefined();
    expect(match("//evil.example/products")).toBeUndefined();
  });
});
