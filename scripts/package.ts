// Writes the CloudFormation of one or more architectures without touching AWS: bundles them
// (scripts/build.ts), then runs `osls package` for each into dist/package/<architecture>/.
//   npm run package                 # every architecture
//   npm run package -- nano graph   # only these
// Packaging reads no account: placeholder credentials are set when none are in the environment.
import { spawnSync } from "node:child_process";
import { type Architecture, architecturesNamed } from "../src/deploy/index.js";

let architectures: Architecture[];
try {
  architectures = architecturesNamed(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}

const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "AKIAPACKAGEONLY00000",
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "package-only-not-a-secret",
  // The framework's update check and telemetry would reach for the network.
  SLS_TELEMETRY_DISABLED: "1",
  SLS_NOTIFICATIONS_MODE: "off",
};

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, ["--import", "tsx", "scripts/build.ts", ...architectures]);
for (const architecture of architectures) {
  run(process.execPath, [
    "node_modules/osls/bin/serverless.js",
    "package",
    `--param=architecture=${architecture}`,
    "--package",
    `dist/package/${architecture}`,
  ]);
  console.log(
    `${architecture}: dist/package/${architecture}/cloudformation-template-update-stack.json`,
  );
}
