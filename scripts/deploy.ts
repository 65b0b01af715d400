// Deploys the stack and the storefront together, with real AWS credentials:
//   npm run deploy -- <nano|micro|monolith|graph> [osls options]
//   npm run deploy -- monolith --stage prod --region eu-west-1
// 1. bundles the functions of the architecture (npm run build) and builds the site into
//    dist/web (npm run build:web), so nothing changes in AWS if either fails;
// 2. `osls deploy` of the stack;
// 3. reads the stack's outputs and uploads dist/web to its site bucket, with each file's
//    Content-Type and Cache-Control, and the config.json written from the outputs.
// The distribution is not invalidated: index.html and config.json are stored `no-cache` and
// the distribution's default behaviour caches nothing, so the new ones are served at once, and
// every other changed file has a new hashed name.
import { spawnSync } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  type DeployOptions,
  parseDeployArgs,
  planUploads,
  type SiteUpload,
  STACK_OUTPUTS,
  siteConfigFrom,
  siteKeysOf,
  stackOutputsOf,
} from "../src/deploy/index.js";

const SITE_DIR = "dist/web";
const PARALLEL_UPLOADS = 8;

let options: DeployOptions;
try {
  options = parseDeployArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
const env = {
  ...process.env,
  SLS_TELEMETRY_DISABLED: "1",
  SLS_NOTIFICATIONS_MODE: "off",
  ...(options.profile === undefined ? {} : { AWS_PROFILE: options.profile }),
};

function run(command: string, args: string[]): void {
  console.log(`> ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const files: string[] = [];
  for (const entry of entries) {
    if ((await stat(join(dir, entry))).isFile()) files.push(entry.split("\\").join("/"));
  }
  return files;
}

async function put(s3: S3Client, bucket: string, upload: SiteUpload): Promise<void> {
  const body =
    "file" in upload.source
      ? await readFile(join(SITE_DIR, upload.source.file))
      : upload.source.body;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: upload.key,
      Body: body,
      ContentType: upload.contentType,
      CacheControl: upload.cacheControl,
    }),
  );
}

async function putAll(s3: S3Client, bucket: string, uploads: readonly SiteUpload[]) {
  const queue = [...uploads];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      await put(s3, bucket, next);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_UPLOADS }, worker));
}

run("npm", ["run", "build", "--", options.architecture]);
run("npm", ["run", "build:web"]);
// Checked before the stack changes: a site without its page would be deployed broken.
const files = await filesUnder(SITE_DIR);
siteKeysOf(files);

run(process.execPath, [
  "node_modules/osls/bin/serverless.js",
  "deploy",
  `--param=architecture=${options.architecture}`,
  ...options.oslsArgs,
]);

const clientConfig = { region: options.region };
const cloudFormation = new CloudFormationClient(clientConfig);
const described = await cloudFormation.send(
  new DescribeStacksCommand({ StackName: options.stackName }),
);
const outputs = stackOutputsOf(described.Stacks?.[0]?.Outputs ?? []);
const config = siteConfigFrom(outputs);
const bucket = outputs[STACK_OUTPUTS.siteBucket];
if (bucket === undefined) throw new Error(`stack ${options.stackName} has no site bucket output`);

const s3 = new S3Client(clientConfig);
const batches = planUploads(files, config);
for (const batch of batches) await putAll(s3, bucket, batch);
const count = batches.reduce((sum, batch) => sum + batch.length, 0);
console.log(`${count} file(s) uploaded to s3://${bucket}`);
console.log(`storefront: ${outputs[STACK_OUTPUTS.siteUrl] ?? "(no SiteUrl output)"}`);
console.log(`API: ${config.apiUrl}`);
