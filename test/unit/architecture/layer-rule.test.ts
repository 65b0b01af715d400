import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The layer rule of ARCHITECTURE.md is enforced by Biome's noRestrictedImports (biome.json,
// one override per folder). These run the project's own biome.json on probe files in a scratch
// copy of the layout: an import that points up the layers must fail lint, and the same file
// pointing down must pass.

const run = promisify(execFile);
const BIOME = resolve("node_modules/.bin/biome");
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "layer-rule-"));
  await copyFile(resolve("biome.json"), join(root, "biome.json"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Lints `src/<file>` holding `import ... from "<specifier>"`; answers Biome's exit and output. */
async function lint(file: string, specifier: string): Promise<{ failed: boolean; output: string }> {
  const path = join(root, "src", file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `import { thing } from "${specifier}";\n\nexport const probe = thing;\n`);
  try {
    const { stdout, stderr } = await run(BIOME, ["lint", "--max-diagnostics=5", path], {
      cwd: root,
    });
    return { failed: false, output: stdout + stderr };
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    return { failed: true, output: stdout + stderr };
  } finally {
    await rm(path, { force: true });
  }
}

describe("the layer rule (biome.json noRestrictedImports)", () => {
  it.each([
    ["domain/probe.ts", "../http/index.js"],
    ["domain/probe.ts", "../services/index.js"],
    ["domain/probe.ts", "zod/mini"],
    ["services/probe.ts", "../store/index.js"],
    ["services/probe.ts", "../http/index.js"],
    ["services/probe.ts", "@aws-sdk/util-dynamodb"],
    ["store/dynamodb/probe.ts", "../../http/index.js"],
    ["store/probe.ts", "../notify/index.js"],
    ["notify/probe.ts", "../compose/index.js"],
    ["graphql/probe.ts", "../http/index.js"],
    ["http/probe.ts", "../graphql/executor.js"],
    ["http/probe.ts", "../store/index.js"],
    ["compose/probe.ts", "../local/main.js"],
    ["deploy/probe.ts", "../store/dynamodb/retries.js"],
  ])("refuses %s importing %s", async (file, specifier) => {
    const { failed, output } = await lint(file, specifier);
    expect(failed).toBe(true);
    expect(output).toContain("noRestrictedImports");
  });

  it.each([
    ["domain/probe.ts", "./errors.js"],
    ["services/probe.ts", "../domain/index.js"],
    ["store/dynamodb/probe.ts", "../../services/index.js"],
    ["store/dynamodb/probe.ts", "../../aws/aws-http.js"],
    ["http/probe.ts", "../graphql/index.js"],
    ["compose/probe.ts", "../store/sqlite/store.js"],
    ["deploy/probe.ts", "../store/dynamodb/table.js"],
  ])("lets %s import %s", async (file, specifier) => {
    const { failed, output } = await lint(file, specifier);
    expect(output).not.toContain("noRestrictedImports");
    expect(failed).toBe(false);
  });
});
