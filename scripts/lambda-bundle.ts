import type { BuildOptions } from "esbuild";

/**
 * How a Lambda function is bundled: by `scripts/build.ts` for every function, and by the
 * cold-start bench for the peers it measures beside them, so that both are built the same way.
 */
export const LAMBDA_BUNDLE: BuildOptions = {
  entryNames: "index",
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  // Code reached only through a dynamic import() (graphql-js, jose, aws-jwt-verify, the
  // DynamoDB adapter) goes into chunks that load when first needed, not at cold start.
  splitting: true,
  platform: "node",
  // Prefer each package's ES module build: esbuild can then drop what is never imported
  // (BENCHMARKS.md, "Cold start of every function").
  mainFields: ["module", "main"],
  target: "node24",
  format: "esm",
  minify: true,
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: "warning",
};
