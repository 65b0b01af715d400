import { describe, expect, it } from "vitest";
import { deferred } from "../../../src/compose/deferred.js";

interface Counter {
  add(n: number): Promise<number>;
  total(): Promise<number>;
}

function counter(): Counter {
  let sum = 0;
  return {
    add: async (n) => {
      sum += n;
      return sum;
    },
    total: async () => sum,
  };
}

describe("deferred", () => {
  it("waits for the adapter, then calls it with the arguments and its own this", async () => {
    let open: (port: Counter) => void = () => {};
    const port = deferred(new Promise<Counter>((resolve) => (open = resolve)));
    const added = port.add(2);
    open(counter());
    expect(await added).toBe(2);
    expect(await port.add(3)).toBe(5);
    expect(await port.total()).toBe(5);
  });

  it("answers each call with the error of an adapter that failed to open, without an unhandled rejection at start", async () => {
    const port = deferred<Counter>(Promise.reject(new Error("the table is not there")));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(port.total()).rejects.toThrow("the table is not there");
    await expect(port.add(1)).rejects.toThrow("the table is not there");
  });

  it("is no thenable, so it can be awaited and returned from an async function as it is", async () => {
    const port = deferred(Promise.resolve(counter()));
    const same = await (async () => port)();
    expect(same).toBe(port);
  });
});
