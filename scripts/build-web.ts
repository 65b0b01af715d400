import { readFile, rm } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build, type Manifest } from "vite";
import { writeWebApiTypes } from "./api-types.js";

// Builds the storefront (web/) into dist/web, its API types generated first from the OpenAPI
// document (api-types.ts), and holds the catalogue page to its budget: all the
// JavaScript the first page load fetches, gzipped, at most 50 KB.
// `--out-dir <dir>` builds elsewhere (the browser tests build into a temporary folder).
const ROOT = join(import.meta.dirname, "..");
const WEB = join(ROOT, "web");
const { values } = parseArgs({ options: { "out-dir": { type: "string" } } });
const OUT = resolve(values["out-dir"] ?? join(ROOT, "dist", "web"));
const BUDGET_BYTES = 50 * 1024;

await writeWebApiTypes();
await build({
  root: WEB,
  configFile: join(WEB, "vite.config.ts"),
  logLevel: "warn",
  build: { outDir: OUT },
});

const manifest = JSON.parse(
  await readFile(join(OUT, ".vite", "manifest.json"), "utf8"),
) as Manifest;
// The manifest is for this count only: the site bucket and the dev server need not serve it.
await rm(join(OUT, ".vite"), { recursive: true, force: true });

/** The entry chunk and every chunk it imports statically: what loading `/` runs. */
function chunksOfEntry(): string[] {
  const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry === true);
  if (entry === undefined) throw new Error("the build's manifest names no entry chunk");
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (chunk === undefined || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entry[0]);
  return [...files].filter((file) => file.endsWith(".js"));
}

async function gzippedBytes(file: string): Promise<number> {
  return gzipSync(await readFile(join(OUT, file)), { level: 9 }).length;
}

const allJs = Object.values(manifest)
  .map((chunk) => chunk.file)
  .filter((file) => file.endsWith(".js"));
const catalogueJs = chunksOfEntry();
let catalogueBytes = 0;
for (const file of catalogueJs) catalogueBytes += await gzippedBytes(file);
let allBytes = 0;
for (const file of new Set(allJs)) allBytes += await gzippedBytes(file);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `storefront built into ${relative(process.cwd(), OUT) || "."}: the catalogue page loads ${kb(catalogueBytes)} of JavaScript gzipped ` +
    `(${catalogueJs.join(", ")}; budget ${kb(BUDGET_BYTES)}); all JavaScript ${kb(allBytes)} gzipped`,
);
if (catalogueBytes > BUDGET_BYTES) {
  console.error(`over budget by ${kb(catalogueBytes - BUDGET_BYTES)}`);
  process.exit(1);
}
