import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** What `npm start` runs, relative to the repository root (dist/ is not committed). */
export const DEV_SERVER_BUNDLE = "dist/local/main.mjs";

/**
 * The dev server (`src/local/main.ts` and the source it imports) as one ES module that plain
 * `node` runs: no TypeScript loader between Node and the server, whose transform wraps every
 * function made per request in a call that names it (BENCHMARKS.md, "Where the dev server's
 * time went"). Packages stay imports of node_modules, resolved from the repository as before.
 * Written to a temporary file and renamed, so a server already running from it is never
 * handed half a file.
 */
export async function buildDevServer(): Promise<string> {
  const outfile = join(ROOT, DEV_SERVER_BUNDLE);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/local/main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    packages: "external",
    // Stack traces name the TypeScript lines, as under tsx (`node --enable-source-maps`).
    sourcemap: true,
    write: false,
    logLevel: "warning",
  });
  await mkdir(dirname(outfile), { recursive: true });
  // The map before the module that names it.
  const files = result.outputFiles.toSorted(
    (a, b) => Number(a.path === outfile) - Number(b.path === outfile),
  );
  for (const file of files) {
    const scratch = `${file.path}.${process.pid}.tmp`;
    await writeFile(scratch, file.contents);
    await rename(scratch, file.path);
  }
  return outfile;
}
