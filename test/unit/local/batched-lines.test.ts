import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { batchedLines } from "../../../src/local/batched-lines.js";

describe("the request log's batched lines", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const collect = () => {
    const writes: string[] = [];
    const lines = batchedLines((text) => writes.push(text), {
      flushEveryMs: 100,
      maxPendingChars: 40,
    });
    return { writes, lines };
  };

  it("writes the lines queued within the interval in one write, once it is over", () => {
    const { writes, lines } = collect();
    lines.write("GET /a 200 1.0ms");
    vi.advanceTimersByTime(50);
    lines.write("GET /b 200 1.0ms");
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(writes).toEqual(["GET /a 200 1.0ms\nGET /b 200 1.0ms\n"]);
  });

  it("writes at once when the queued text reaches its bound", () => {
    const { writes, lines } = collect();
    lines.write("GET /first 200 1.0ms");
    lines.write("GET /second 200 1.0ms");
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
});
