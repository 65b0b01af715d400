import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { batchedLines, requestLine } from "../../../src/local/batched-lines.js";

describe("the request log's batched lines", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const collect = (maxPendingBytes = 40) => {
    const writes: string[] = [];
    const lines = batchedLines((bytes) => writes.push(Buffer.from(bytes).toString("utf8")), {
      flushEveryMs: 100,
      maxPendingBytes,
    });
    return { writes, lines };
  };

  it("writes the lines queued within the interval in one write, once it is over", () => {
    const { writes, lines } = collect();
    lines.write("GET /a 200 1.0ms");
    vi.advanceTimersByTime(50);
    lines.request("GET", "/b", 200, 1);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(writes).toEqual(["GET /a 200 1.0ms\nGET /b 200 1.0ms\n"]);
  });

  it("writes at once when the queued bytes reach their bound", () => {
    const { writes, lines } = collect();
    lines.write("GET /first 200 1.0ms");
    lines.request("GET", "/second", 200, 1);
    expect(writes).toEqual(["GET /first 200 1.0ms\nGET /second 200 1.0ms\n"]);
    vi.advanceTimersByTime(200);
    expect(writes).toHaveLength(1);
  });

  it("flushes what waits when asked (before the process exits), and nothing twice", () => {
    const { writes, lines } = collect();
    lines.write("GET /a 200 1.0ms");
    lines.flush();
    vi.advanceTimersByTime(200);
    lines.flush();
    expect(writes).toEqual(["GET /a 200 1.0ms\n"]);
  });

  it("writes a request's line from its parts exactly as its text reads", () => {
    const cases: [string, string, number, number][] = [
      ["GET", "/products/lonely-bird", 200, 0.04],
      ["POST", "/cart/items?x=1", 201, 12.349],
      ["DELETE", "/products", 405, 9.96],
      ["HEAD", "/", 304, 0],
      ["GET", "/orders", 503, 123456.78],
      ["GET", "/odd", 200, -1],
      ["GET", "/odd", 200, Number.NaN],
      ["GET", "/odd", 1e20, 1],
    ];
    const { writes, lines } = collect(1024);
    for (const parts of cases) lines.request(...parts);
    lines.flush();
    expect(writes).toEqual([`${cases.map((parts) => requestLine(...parts)).join("\n")}\n`]);
    expect(requestLine("GET", "/a", 200, 0.04)).toBe("GET /a 200 0.0ms");
    expect(requestLine("POST", "/b", 201, 12.349)).toBe("POST /b 201 12.3ms");
    expect(requestLine("GET", "/c", 200, 9.96)).toBe("GET /c 200 10.0ms");
  });

  it("keeps the order of all lines, those longer than a batch too", () => {
    const { writes, lines } = collect(40);
    const long = `/products/${"x".repeat(200)}`;
    lines.write("GET /notifications 101 (WebSocket c1)");
    lines.request("GET", long, 404, 1);
    lines.write("é ü");
    lines.request("GET", "/b", 200, 2);
    lines.flush();
    expect(writes.join("")).toBe(
      `GET /notifications 101 (WebSocket c1)\nGET ${long} 404 1.0ms\né ü\nGET /b 200 2.0ms\n`,
    );
  });

  it("writes the target's bytes as the client sent them (Node reads them as latin1)", () => {
    const { writes, lines } = collect(1024);
    // A UTF-8 "é" sent raw arrives as two latin1 characters.
    lines.request("GET", "/caf\u00c3\u00a9", 404, 1);
    // Not what Node's parser gives, but a caller may: written as UTF-8 text.
    lines.request("GET", "/\u20ac", 404, 1);
    lines.flush();
    expect(writes).toEqual(["GET /café 404 1.0ms\nGET /€ 404 1.0ms\n"]);
  });
});
