// What the official `stripe` package costs a Lambda function's cold start:
//   npm run bench -- stripe [--rounds 15] [--instructions]
// Three handlers that answer at once, bundled as scripts/build.ts bundles a function
// (LAMBDA_BUNDLE, code splitting on):
//   without  no payment adapter at all;
//   dynamic  the Stripe adapter behind an import() the start never calls (how compose loads it
//            only when PAYMENT_PROVIDER=stripe), so its chunk stays on disk;
//   static   the Stripe adapter imported and its provider (the Stripe client) built at module
//            scope, as a function that talks to Stripe starts.
// A start is cold-start.ts's: a fresh `node` imports the module and invokes its handler, timed
// from spawn to the answer; rounds interleave the subjects with an empty module. "Loaded at
// start" counts the bundle's entry and the chunks it imports statically (esbuild's metafile).
// --instructions counts each start's instructions with valgrind instead, once per subject: a
// measure a busy machine does not move (cold-start-instructions.ts).
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import { LAMBDA_BUNDLE } from "../scripts/lambda-bundle.js";
import { countInstructions } from "./cold-start-instructions.js";
import { median } from "./measure.js";

const args = process.argv.slice(2).filter((arg) => arg !== "stripe");
const roundsAt = args.indexOf("--rounds");
const rounds = roundsAt === -1 ? 15 : Number(args[roundsAt + 1]);
const instructions = args.includes("--instructions");
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds takes a whole number");

const adapter = JSON.stringify(resolve("src/payment/stripe-payment.ts"));
const OPTIONS = `{ secretKey: "sk_test_bench", webhookSecret: "whsec_bench", publishableKey: "pk_test_bench" }`;
const ANSWER = `export const handler = async () => ({ statusCode: 200 });`;

const SUBJECTS: Record<string, string> = {
  without: ANSWER,
  dynamic: [`export const loadStripe = () => import(${adapter});`, ANSWER].join("\n"),
  static: [
    `import { createStripePaymentProvider } from ${adapter};`,
    `export const payment = createStripePaymentProvider(${OPTIONS}, { ledger: {} });`,
    ANSWER,
  ].join("\n"),
};

/** Imports the module, invokes its handler once, writes the answer's status and CPU time. */
const RUNNER = `const module = await import(process.argv[2]);
const result = module.handler === undefined ? undefined : await module.handler({}, {});
const { user, system } = process.cpuUsage();
process.stdout.write(String(result?.statusCode ?? "-") + " " + (user + system) / 1000);
process.exit(0);
`;

/** Bytes of the entry and of every chunk it imports statically, transitively. */
function bytesLoadedAtStart(metafile: Metafile, entry: string): number {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen].reduce((sum, path) => sum + (metafile.outputs[path]?.bytes ?? 0), 0);
}

const bytesOf = (metafile: Metafile) =>
  Object.entries(metafile.outputs)
    .filter(([path]) => path.endsWith(".mjs"))
    .reduce((sum, [, output]) => sum + output.bytes, 0);

/** Runs `node runner module`; ms from spawn to the answer, and the CPU time used by then. */
function start(runner: string, module: string): Promise<{ ms: number; cpuMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [runner, pathToFileURL(module).href], {
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    let answeredAt: bigint | undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      answeredAt ??= process.hrtime.bigint();
      stdout += chunk;
    });
    child.once("error", reject);
    child.once("close", () => {
      const answer = /^(200|-) ([\d.]+)$/.exec(stdout);
      if (answer === null || answeredAt === undefined) {
        reject(new Error(`${module} did not answer: ${stdout}`));
        return;
      }
      resolvePromise({ ms: Number(answeredAt - started) / 1e6, cpuMs: Number(answer[2]) });
    });
  });
}

const workDir = await mkdtemp(join(tmpdir(), "serverless-store-stripe-"));
try {
  const runner = join(workDir, "runner.mjs");
  await writeFile(runner, RUNNER);
  const empty = join(workDir, "empty.mjs");
  await writeFile(empty, "");

  const bundles = new Map<string, { module: string; atStart: number; total: number }>();
  for (const [name, contents] of Object.entries(SUBJECTS)) {
    const outdir = join(workDir, name);
    const { metafile } = await build({
      stdin: { contents, resolveDir: process.cwd(), sourcefile: `${name}.ts`, loader: "ts" },
      outdir,
      ...LAMBDA_BUNDLE,
      metafile: true,
    });
    const entry = Object.keys(metafile.outputs).find((path) => path.endsWith("/index.mjs"));
    if (entry === undefined) throw new Error(`${name}: no entry in the bundle`);
    bundles.set(name, {
      module: resolve(entry),
      atStart: bytesLoadedAtStart(metafile, entry),
      total: bytesOf(metafile),
    });
  }

  const subjects: { name: string; module: string }[] = [
    { name: "empty module", module: empty },
    ...[...bundles].map(([name, bundle]) => ({ name, module: bundle.module })),
  ];
  const cpus = os.cpus();
  console.log(
    `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? "unknown CPU"}, ${new Date().toISOString()}`,
  );
  const measured = instructions
    ? await countEach(runner, subjects)
    : await timeEach(runner, subjects, rounds);
  const baseline = measured.get("empty module")?.value ?? Number.NaN;
  const unit = instructions ? "instructions (M)" : `start ms (median of ${rounds})`;
  console.log(
    `subject        | loaded at start | bundle total | ${unit} | x empty${instructions ? "" : " | CPU ms (median)"}`,
  );
  const kb = (bytes: number | undefined) =>
    bytes === undefined ? "-" : `${(bytes / 1024).toFixed(1)} KiB`;
  for (const { name } of subjects) {
    const bundle = bundles.get(name);
    const { value = Number.NaN, cpuMs } = measured.get(name) ?? {};
    const cells = [
      name.padEnd(14),
      kb(bundle?.atStart).padStart(15),
      kb(bundle?.total).padStart(12),
      (instructions ? (value / 1e6).toFixed(0) : value.toFixed(1)).padStart(unit.length),
      (value / baseline).toFixed(2).padStart(7),
    ];
    if (cpuMs !== undefined) cells.push(cpuMs.toFixed(1).padStart(15));
    console.log(cells.join(" | "));
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

/** Median start time and CPU time of each subject, rounds interleaving them. */
async function timeEach(
  runner: string,
  subjects: readonly { name: string; module: string }[],
  rounds: number,
): Promise<Map<string, { value: number; cpuMs?: number }>> {
  const times = new Map<string, { ms: number[]; cpuMs: number[] }>(
    subjects.map(({ name }) => [name, { ms: [], cpuMs: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    // Each round starts at another subject, so none always runs right after the baseline.
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[(round + i) % subjects.length];
      if (subject === undefined) continue;
      const { ms, cpuMs } = await start(runner, subject.module);
      times.get(subject.name)?.ms.push(ms);
      times.get(subject.name)?.cpuMs.push(cpuMs);
    }
  }
  return new Map(
    [...times].map(([name, { ms, cpuMs }]) => [name, { value: median(ms), cpuMs: median(cpuMs) }]),
  );
}

/** Instructions of one start of each subject, under valgrind. */
async function countEach(
  runner: string,
  subjects: readonly { name: string; module: string }[],
): Promise<Map<string, { value: number; cpuMs?: number }>> {
  const env = { PATH: process.env.PATH ?? "", NODE_ENV: "production" };
  const counts = new Map<string, { value: number }>();
  for (const { name, module } of subjects) {
    counts.set(name, { value: await countInstructions(runner, module, env) });
  }
  return counts;
}
