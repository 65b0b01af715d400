import { describe, expect, it } from "vitest";
import { ARCHITECTURES, architecturesNamed } from "../../../src/deploy/index.js";

// What `npm run package -- nano graph` and `npm run build -- micro` package or build: the
// docs' recipe names them, and deploy.test.ts runs the one `npm run package` of every test run.
describe("the architectures a package or build command names", () => {
  it("are the ones named, in order", () => {
    expect(architecturesNamed(["nano", "graph"])).toEqual(["nano", "graph"]);
  });

  it("are all four when none is named", () => {
    expect(architecturesNamed([])).toEqual([...ARCHITECTURES]);
  });

  it("refuse an unknown name, naming it and the four choices", () => {
    expect(() => architecturesNamed(["nano", "lambda"])).toThrow(
      'unknown architecture "lambda": choose from nano, micro, monolith, graph',
    );
  });
});
