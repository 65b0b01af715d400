// Request bodies: size limits (413), media types (415) and malformed JSON (400).
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectProblem, startPerTest, type TestApp } from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("request bodies", () => {
  const LIMIT = 512;

  /** A valid cart body padded with spaces to exactly `bytes` bytes. */
  const cartBodyOf = (bytes: number) => {
    const json = JSON.stringify({ products: [{ id: "lonely-bird", quantity: 1 }] });
    return json + " ".repeat(bytes - json.length);
  };

  it("accepts a body of exactly MAX_BODY_BYTES and answers 413 for one byte more", async () => {
    await start({ env: { MAX_BODY_BYTES: String(LIMIT) } });
    const ada = await t.signup();

    const fits = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: cartBodyOf(LIMIT),
    });
    const over = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body: cartBodyOf(LIMIT + 1),
    });

    expect(fits.statusCode).toBe(200);
    expect(expectProblem(over, 413, "PAYLOAD_TOO_LARGE").detail).toBe(
      `the body is larger than ${LIMIT} bytes`,
    );
  });

  it("counts bytes, not characters, and decodes base64 before counting", async () => {
    await start({ env: { MAX_BODY_BYTES: String(LIMIT) } });

    // "€" is one character but three UTF-8 bytes.
    const signupWith = (email: string, euros: number) =>
      JSON.stringify({ email, password: "€".repeat(euros) });
    const overhead = signupWith("a@example.com", 0).length;
    const over = signupWith("a@example.com", Math.ceil((LIMIT + 1 - overhead) / 3));
    const under = signupWith("c@example.com", Math.floor((LIMIT - overhead) / 3));
    expect(over.length).toBeLessThan(LIMIT);
    expect(Buffer.byteLength(over)).toBeGreaterThan(LIMIT);
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(LIMIT);

    const multibyte = await t.invoke({ method: "POST", resource: "/auth/signup", body: over });
    const multibyteFits = await t.invoke({ method: "POST", resource: "/auth/signup", body: under });
    const base64 = await t.invoke({
      method: "POST",
      resource: "/auth/signup",
      body: cartBodyOf(LIMIT + 1),
      isBase64Encoded: true,
    });
    // Its base64 text is longer than the limit; the body it encodes is not.
    const base64Fits = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: (await t.signup()).token,
      body: cartBodyOf(LIMIT),
      isBase64Encoded: true,
    });

    expectProblem(multibyte, 413, "PAYLOAD_TOO_LARGE");
    expect(multibyteFits.statusCode).toBe(202);
    expectProblem(base64, 413, "PAYLOAD_TOO_LARGE");
    expect(base64Fits.statusCode).toBe(200);
  });

  it("answers 413 before asking who the caller is", async () => {
    await start({ env: { MAX_BODY_BYTES: String(LIMIT) } });

    const res = await t.invoke({ method: "POST", resource: "/cart", body: cartBodyOf(LIMIT * 4) });

    expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("answers 415 for a body that is not JSON or has no Content-Type", async () => {
    await start();
    const ada = await t.signup();
    const body = JSON.stringify({ products: [{ id: "lonely-bird", quantity: 1 }] });

    const plain = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body,
      headers: { "Content-Type": "text/plain" },
    });
    const none = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body,
      headers: { "Content-Type": undefined },
    });
    const form = await t.invoke({
      method: "POST",
      resource: "/auth/login",
      body: "email=a%40example.com&password=x",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const charset = await t.invoke({
      method: "POST",
      resource: "/cart",
      token: ada.token,
      body,
      headers: { "Content-Type": "application/json; charset=UTF-8" },
    });

    expect(expectProblem(plain, 415, "UNSUPPORTED_MEDIA_TYPE").detail).toBe(
      "send the body as application/json (got another type)",
    );
    expect(expectProblem(none, 415, "UNSUPPORTED_MEDIA_TYPE").detail).toBe(
      "send the body as application/json (got no Content-Type)",
    );
    expectProblem(form, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(charset.statusCode).toBe(200);
  });
});
