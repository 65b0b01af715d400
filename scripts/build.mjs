// Bundles each Lambda entry point in src/functions/ into dist/functions/<name>.mjs with esbuild.
import { readdirSync } from "node:fs";
import { build } from "esbuild";

const entryPoints = readdirSync("src/functions")
  .filter((file) => file.endsWith(".ts"))
  .map((file) => `src/functions/${file}`);

await build({
  entryPoints,
  outdir: "dist/functions",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  minify: true,
  sourcemap: true,
  // The native SQLite driver is the local store only; Lambda uses DynamoDB.
  external: ["better-sqlite3"],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: "info",
});
