import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// The deploy descriptor runs at build time (scripts/build.ts, scripts/package.ts): it reads the
// route table and the table's definition, and must not pull in the store's client, its retries
// or any driver.
describe("what the deploy descriptor loads", () => {
  it("reaches no client, retry or driver code", async () => {
    const result = await build({
      entryPoints: ["src/deploy/index.ts"],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      packages: "external",
      logLevel: "silent",
    });
    const sources = Object.keys(result.metafile.inputs);
    const imports = Object.values(result.metafile.inputs).flatMap((input) =>
      input.imports.map((i) => i.path),
    );

    expect(sources).toContain("src/store/dynamodb/table.ts");
    for (const forbidden of [
      "src/aws/aws-http.ts",
      "src/store/dynamodb/retries.ts",
      "src/store/dynamodb/client.ts",
      "src/store/dynamodb/store.ts",
    ]) {
      expect(sources).not.toContain(forbidden);
    }
    expect(imports.filter((path) => /better-sqlite3|@smithy|@aws-sdk/.test(path))).toEqual([]);
  });
});
