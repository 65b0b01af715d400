import { describe, expect, it, vi } from "vitest";
import { AppError } from "../../../src/domain/index.js";
import {
  HttpError,
  type HttpErrorCode,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  type ProblemCode,
  type ProblemLog,
  problemResult,
  statusOf,
} from "../../../src/http/index.js";

const request = { path: "/cart", requestId: "req-123" };

function answer(error: unknown, log: ProblemLog = () => {}) {
  const result = problemResult(error, request, log);
  return { result, problem: JSON.parse(result.body) as Problem };
}

const STATUSES: [ProblemCode, number][] = [
  ["VALIDATION_FAILED", 400],
  ["UNAUTHENTICATED", 401],
  ["FORBIDDEN", 403],
  ["NOT_FOUND", 404],
  ["METHOD_NOT_ALLOWED", 405],
  ["EMAIL_TAKEN", 409],
  ["OUT_OF_STOCK", 409],
  ["CART_CHANGED", 409],
  ["PAYLOAD_TOO_LARGE", 413],
  ["UNSUPPORTED_MEDIA_TYPE", 415],
  ["UNKNOWN_PRODUCT", 422],
  ["INVALID_PROMOTION", 422],
  ["CART_EMPTY", 422],
  ["CART_LIMIT", 422],
  ["ADDRESS_BOOK_FULL", 409],
  ["NOT_SHIPPABLE", 422],
  ["TOO_MANY_REQUESTS", 429],
  ["NOT_IMPLEMENTED", 501],
  ["STORE_UNAVAILABLE", 503],
  ["INTERNAL", 500],
];

const isHttpOnly = (code: ProblemCode): code is HttpErrorCode =>
  code === "METHOD_NOT_ALLOWED" ||
  code === "PAYLOAD_TOO_LARGE" ||
  code === "UNSUPPORTED_MEDIA_TYPE";

describe("problemResult", () => {
  it.each(STATUSES)("answers %s with %i as application/problem+json", (code, status) => {
    const log = vi.fn<ProblemLog>();
    const detail = `detail of ${code}`;
    const error = isHttpOnly(code) ? new HttpError(code, detail) : new AppError(code, detail);
    const { result, problem } = answer(error, log);
    expect(result.statusCode).toBe(status);
    expect(statusOf(code)).toBe(status);
    expect(result.headers?.["Content-Type"]).toBe(PROBLEM_CONTENT_TYPE);
    expect(PROBLEM_CONTENT_TYPE).toBe("application/problem+json");
    expect(problem).toMatchObject({
      status,
      code,
      detail: `detail of ${code}`,
      instance: "/cart",
      requestId: "req-123",
      type: `urn:serverless-store:problem:${code.toLowerCase().replaceAll("_", "-")}`,
    });
    expect(problem.title).toMatch(/^[A-Z]/);
    expect(log).not.toHaveBeenCalled();
  });

  it("lists the invalid fields as errors, and leaves errors out when there are none", () => {
    const fields = [
      { field: "products[0].quantity", message: "must be an integer from 1 to 99" },
      { field: "promotionCode", message: "unknown promotion code" },
    ];
    expect(answer(new AppError("VALIDATION_FAILED", "bad", { fields })).problem.errors).toEqual(
      fields,
    );
    expect(answer(new AppError("NOT_FOUND", "gone")).problem).not.toHaveProperty("errors");
  });

  it("tells the client when to retry with Retry-After", () => {
    const unavailable = answer(
      new AppError("STORE_UNAVAILABLE", "retry shortly", { retryAfterSeconds: 1 }),
    );
    expect(unavailable.result.statusCode).toBe(503);
    expect(unavailable.result.headers?.["Retry-After"]).toBe("1");
    const throttled = answer(new AppError("TOO_MANY_REQUESTS", "wait", { retryAfterSeconds: 900 }));
    expect(throttled.result.statusCode).toBe(429);
    expect(throttled.result.headers?.["Retry-After"]).toBe("900");
    expect(answer(new AppError("NOT_FOUND", "gone")).result.headers).not.toHaveProperty(
      "Retry-After",
    );
  });

  it("lists the allowed methods in Allow on 405", () => {
    const { result } = answer(
      new HttpError("METHOD_NOT_ALLOWED", "DELETE is not allowed on /cart", [
        "GET",
        "POST",
        "OPTIONS",
      ]),
    );
    expect(result.statusCode).toBe(405);
    expect(result.headers?.Allow).toBe("GET, POST, OPTIONS");
  });

  it("challenges with WWW-Authenticate on 401 only", () => {
    const unauthenticated = answer(new AppError("UNAUTHENTICATED", "sign in first"));
    expect(unauthenticated.result.headers?.["WWW-Authenticate"]).toBe(
      'Bearer realm="serverless-store"',
    );
    for (const code of ["FORBIDDEN", "NOT_FOUND", "INTERNAL"] as const) {
      expect(answer(new AppError(code, "no")).result.headers).not.toHaveProperty(
        "WWW-Authenticate",
      );
    }
  });

  it("answers an unknown error with a generic 500, logged once with its stack", () => {
    const log = vi.fn<ProblemLog>();
    const failure = new Error("SQLITE_ERROR: no such table: secret_orders");
    const { result, problem } = answer(failure, log);

    expect(result.statusCode).toBe(500);
    expect(problem).toEqual({
      type: "urn:serverless-store:problem:internal",
      title: "Internal server error",
      status: 500,
      detail: "an unexpected error occurred; it has been logged",
      instance: "/cart",
      code: "INTERNAL",
      requestId: "req-123",
    });
    expect(result.body).not.toContain("secret_orders");
    expect(result.body).not.toContain("SQLITE");
    expect(result.body).not.toMatch(/\bat .*\.ts:\d+/);
    expect(Object.keys(result.headers ?? {})).toEqual(["Content-Type"]);

    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith({
      level: "error",
      requestId: "req-123",
      message: "SQLITE_ERROR: no such table: secret_orders",
      stack: failure.stack,
    });
  });

  it("answers a thrown non-Error the same way, logging what was thrown", () => {
    const log = vi.fn<ProblemLog>();
    const { result, problem } = answer("boom: password=hunter2", log);
    expect(result.statusCode).toBe(500);
    expect(problem.code).toBe("INTERNAL");
    expect(result.body).not.toContain("hunter2");
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]?.[0]).toMatchObject({
      level: "error",
      requestId: "req-123",
      message: "boom: password=hunter2",
    });
  });

  it("keeps an AppError's cause and stack out of the body", () => {
    const cause = new Error("ConditionalCheckFailedException on table store-prod");
    const { result } = answer(
      new AppError("STORE_UNAVAILABLE", "the store is unavailable, retry shortly", {
        retryAfterSeconds: 1,
        cause,
      }),
    );
    expect(result.body).not.toContain("ConditionalCheckFailed");
    expect(result.body).not.toContain("store-prod");
    expect(result.body).not.toContain("stack");
    expect(result.body).not.toMatch(/\bat .*:\d+:\d+/);
  });
});
