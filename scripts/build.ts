// Bundles every Lambda function of the chosen architectures (all four by default) into
// dist/functions/<name>/, one folder each, and writes what serverless.yml reads of them:
// dist/deploy/<architecture>.json (functions, resources, outputs) and dist/openapi.json.
//   npx tsx scripts/build.ts [nano|micro|monolith|graph ...]
import { mkdir, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { build } from "esbuild";
import {
  type Architecture,
  architecturesNamed,
  bundleDir,
  describeArchitecture,
  type FunctionSpec,
  functionsOf,
} from "../src/deploy/index.js";
import { ROUTES, routeKey } from "../src/http/index.js";
import { buildOpenApi } from "../src/http/openapi.js";
import { LAMBDA_BUNDLE } from "./lambda-bundle.js";

let architectures: Architecture[];
try {
  architectures = architecturesNamed(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
/** The entry file of a function: a handler factory of src/functions/ called once, at cold start. */
function entryOf(spec: FunctionSpec): string {
  const from = (file: string) => JSON.stringify(resolve("src/functions", file));
  switch (spec.trigger) {
    case "http":
      return [
        `import { createHandler } from ${from("handler.ts")};`,
        `export const handler = await createHandler(${JSON.stringify(spec.routes.map(routeKey))});`,
      ].join("\n");
    case "websocket":
      return [
        `import { createWebSocketHandler } from ${from("websocket.ts")};`,
        "export const handler = await createWebSocketHandler();",
      ].join("\n");
    case "stream":
      return [
        `import { createOrderStreamHandler } from ${from("order-stream.ts")};`,
        "export const handler = await createOrderStreamHandler();",
      ].join("\n");
    case "schedule":
      return [
        `import { createSweepHandler } from ${from("sweep-orders.ts")};`,
        "export const handler = await createSweepHandler();",
      ].join("\n");
  }
}

await mkdir("dist/deploy", { recursive: true });
for (const architecture of architectures) {
  for (const spec of functionsOf(architecture)) {
    const outdir = bundleDir(spec.name);
    await rm(outdir, { recursive: true, force: true });
    await build({
      stdin: {
        contents: entryOf(spec),
        resolveDir: process.cwd(),
        sourcefile: `${spec.name}.ts`,
        loader: "ts",
      },
      outdir,
      ...LAMBDA_BUNDLE,
      sourcemap: true,
      // The native SQLite driver is the local store only; Lambda uses DynamoDB. The SDK's
      // credential chain is the DynamoDB client's fallback for laptops: Lambda always hands
      // credentials over in the environment (and its runtime ships the SDK). Bundled, it would
      // share chunks with the signer and load its code at every cold start.
      external: ["better-sqlite3", "@aws-sdk/credential-provider-node"],
    });
  }
  const descriptor = describeArchitecture(architecture);
  await writeFile(`dist/deploy/${architecture}.json`, `${JSON.stringify(descriptor, null, 2)}\n`);
  console.log(
    `${architecture}: ${Object.keys(descriptor.functions).length} function(s) in dist/functions, dist/deploy/${architecture}.json`,
  );
}
await writeFile("dist/openapi.json", `${JSON.stringify(buildOpenApi(ROUTES), null, 2)}\n`);
console.log("dist/openapi.json");
