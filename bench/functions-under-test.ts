import { spawnSync } from "node:child_process";
import type { DynamoDbLocal } from "../src/local/dynamodb-local.js";
import { type DynamoDbStore, openDynamoDbStore } from "../src/store/dynamodb/store.js";

/**
 * The functions' bundles for a bench that runs them (cold-start.ts, memory.ts): built with
 * `scripts/build.ts` for `architectures`, unless the bench's arguments say `--no-build`.
 */
export function buildFunctionsUnlessTold(args: readonly string[], architectures: string[]): void {
  if (args.includes("--no-build")) return;
  const built = spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/build.ts", ...architectures],
    { stdio: "inherit" },
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
}

/** The bench's table on DynamoDB Local, created with the demo catalogue. */
export function seededTable(dynamodb: DynamoDbLocal, tableName: string): Promise<DynamoDbStore> {
  return openDynamoDbStore({
    tableName,
    endpoint: dynamodb.endpoint,
    region: dynamodb.region,
    credentials: dynamodb.credentials,
    createTable: true,
    seed: true,
  });
}
