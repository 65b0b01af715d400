// Cold start of every Lambda function of every architecture beside the routers people use, as
// ratios to an empty ES module started the same way, all in one run:
//   npm run bench -- cold [--rounds 5] [--no-build] [--no-dynamodb-local] [--instructions]
//                         [nano|micro|monolith|graph ...]
// One measurement is what Lambda's Node.js runtime does at a cold start: a fresh `node` process
// `import()`s the handler module and invokes its handler once; timed from spawn to the answer
// (Lambda freezes the process after it, so the exit is not counted). The baseline is the same
// runner importing an empty ES module. Columns:
//   (a) an invocation without I/O (a CORS preflight; bench/cold-start-events.ts says which);
//   (b) one that makes a store request, against a loopback server answering like DynamoDB at once;
//   (c) the same against DynamoDB Local (informative: its own first-request warm-up is counted).
// Functions are built by scripts/build.ts; the peers (bench/cold-start-peers.ts) with the same
// esbuild options in a temporary directory. Rounds interleave every subject with the baseline.
// --instructions counts each start's instructions with valgrind instead (columns a and b, once
// each): a measure a busy machine does not move (bench/cold-start-instructions.ts).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { LAMBDA_BUNDLE } from "../scripts/lambda-bundle.js";
import { architecturesNamed, bundleDir, functionsOf } from "../src/deploy/index.js";
import { startDynamoDbLocal } from "../src/local/dynamodb-local.js";
import { createSigningKey, mintToken } from "../test/helpers/tokens.js";
import { type Invocation, withoutIo, withStoreRequest } from "./cold-start-events.js";
import { countInstructions, inPairs } from "./cold-start-instructions.js";
import { PEER_ORIGIN, PEERS } from "./cold-start-peers.js";
import { startFakeDynamoDb } from "./fake-dynamodb.js";
import { buildFunctionsUnlessTold, seededTable } from "./functions-under-test.js";
import { median } from "./measure.js";

/** The issue's targets, as ratios to the empty module. */
const TARGET = { a: 1.5, b: 1.6 } as const;
const ISSUER = "https://auth.bench.test";
const CLIENT_ID = "bench";
const TABLE = "cold-start-bench";
/** A baseline start after this many subject starts, so every stretch of the run has its own. */
const BASELINE_EVERY = 6;

/**
 * What Lambda's runtime does at a cold start, as a module run by `node runner.mjs <module>`:
 * import the handler module, invoke it once with the event, write the answer's status. Without
 * an event (the baseline) it imports the module and writes at once.
 */
const RUNNER = `const module = await import(process.argv[2]);
let outcome = "-";
if (process.env.BENCH_EVENT !== undefined) {
  const context = {
    awsRequestId: "bench", functionName: "bench", functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:bench",
    memoryLimitInMB: "1024", logGroupName: "/aws/lambda/bench", logStreamName: "bench",
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000,
    done() {}, fail() {}, succeed() {},
  };
  const result = await module.handler(JSON.parse(process.env.BENCH_EVENT), context);
  outcome = String(result?.statusCode ?? (result?.batchItemFailures?.length + " failed"));
}
const { user, system } = process.cpuUsage();
process.stdout.write(outcome + " " + (user + system) / 1000);
process.exit(0);
`;

type Column = "a" | "b" | "c";

interface Baseline {
  ms: number[];
  cpuMs: number[];
  /** The spawn-to-answer times of each round's baseline starts. */
  msByRound: number[][];
}

interface Subject {
  /** Where it shows in the table: architecture(s) and name, or `peer`. */
  architectures: string;
  name: string;
  module: Record<Column, string | undefined>;
  invocations: Partial<Record<Column, Invocation>>;
}

interface Task {
  subject: Subject;
  column: Column;
  module: string;
  invocation: Invocation;
  /** Store requests the probe made (a and b: counted by the fake), and its answer. */
  probe: { outcome: string; requests?: number };
  /** Per round: from spawn to the answer, and the CPU time the process had used by then. */
  ms: number[];
  cpuMs: number[];
}

const args = process.argv.slice(2).filter((arg) => arg !== "cold");
const roundsAt = args.indexOf("--rounds");
const rounds = roundsAt === -1 ? 5 : Number(args[roundsAt + 1]);
const instructions = args.includes("--instructions");
const withDynamoDbLocal = !args.includes("--no-dynamodb-local") && !instructions;
const architectures = architecturesNamed(
  args.filter((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--rounds"),
);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds takes a whole number");

buildFunctionsUnlessTold(args, architectures);

const workDir = await mkdtemp(join(tmpdir(), "serverless-store-cold-"));
const fake = await startFakeDynamoDb();
const dynamodb = withDynamoDbLocal ? await startDynamoDbLocal() : undefined;
try {
  if (dynamodb !== undefined) {
    const seeded = await seededTable(dynamodb, TABLE);
    await seeded.close();
  }

  const key = await createSigningKey();
  const keyFile = join(workDir, "key.json");
  await writeFile(keyFile, JSON.stringify(key.privateJwk), { mode: 0o600 });
  const claims = { issuer: ISSUER, clientId: CLIENT_ID, expiresInSeconds: 3600 };
  const tokens = {
    customer: await mintToken(key, { ...claims, subject: "bench-user" }),
    operator: await mintToken(key, { ...claims, subject: "bench-operator", groups: ["admin"] }),
  };

  const runner = join(workDir, "runner.mjs");
  await writeFile(runner, RUNNER);
  const empty = join(workDir, "empty.mjs");
  await writeFile(empty, "");

  // Lambda's environment as deployed (credentials in the environment, NODE_ENV=production), with
  // the local token issuer's key as serverless-offline runs the functions, so that a signed-in
  // request is verified in process instead of fetching Cognito's keys.
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "production",
    STORE: "dynamodb",
    DYNAMODB_TABLE: TABLE,
    DYNAMODB_CREATE_TABLE: "false",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SESSION_TOKEN: "local",
    AUTH_MODE: "local",
    AUTH_ISSUER: ISSUER,
    AUTH_CLIENT_ID: CLIENT_ID,
    AUTH_KEY_FILE: keyFile,
    CORS_ORIGINS: PEER_ORIGIN,
    LOG_REQUESTS: "false",
    PAYMENT_DELAY_MS: "0",
    // The SDK's Node 20 end-of-support notice is one write to stderr, not a cost worth counting.
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
  };
  const envOf = (column: Column): Record<string, string> => ({
    ...baseEnv,
    DYNAMODB_ENDPOINT: column === "c" ? (dynamodb?.endpoint ?? "") : fake.endpoint,
  });

  const subjects = [
    ...(await functionSubjects(tokens)),
    ...(await peerSubjects(join(workDir, "peers"))),
  ];
  const columns: Column[] = withDynamoDbLocal ? ["a", "b", "c"] : ["a", "b"];
  const tasks: Task[] = [];
  console.log(`probing ${subjects.length} subjects ...`);
  for (const subject of subjects) {
    for (const column of columns) {
      const module = subject.module[column];
      const invocation = subject.invocations[column === "c" ? "b" : column];
      if (module === undefined || invocation === undefined) continue;
      fake.takeCounts();
      const probe = await invokeOnce(runner, module, invocation, envOf(column));
      const requests = Object.values(fake.takeCounts()).reduce((sum, n) => sum + n, 0);
      tasks.push({
        subject,
        column,
        module,
        invocation,
        probe: { outcome: probe.outcome, ...(column === "c" ? {} : { requests }) },
        ms: [],
        cpuMs: [],
      });
    }
  }

  if (instructions) {
    await printInstructions(subjects, tasks, runner, empty, envOf);
  } else {
    const cpus = os.cpus();
    console.log(
      `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? "unknown CPU"}, ${new Date().toISOString()}`,
    );
    console.log(`${tasks.length} measurements per round, ${rounds} rounds ...`);
    const baseline: Baseline = { ms: [], cpuMs: [], msByRound: [] };
    for (let round = 0; round < rounds; round++) {
      const own: number[] = [];
      // Each round starts at another subject, so none is always measured right after a baseline.
      const offset = Math.floor((round * tasks.length) / rounds);
      for (let i = 0; i < tasks.length; i++) {
        if (i % BASELINE_EVERY === 0) {
          const start = await invokeOnce(runner, empty, undefined, {});
          own.push(start.ms);
          baseline.cpuMs.push(start.cpuMs);
        }
        const task = tasks[(i + offset) % tasks.length] as Task;
        const start = await invokeOnce(runner, task.module, task.invocation, envOf(task.column));
        task.ms.push(start.ms);
        task.cpuMs.push(start.cpuMs);
      }
      baseline.msByRound.push(own);
      baseline.ms.push(...own);
      process.stdout.write(`  round ${round + 1}/${rounds} done\n`);
    }
    printResults(subjects, tasks, columns, baseline);
  }
} finally {
  await fake.close();
  await dynamodb?.stop();
  await rm(workDir, { recursive: true, force: true });
}

/**
 * The functions of the architectures asked for. The WebSocket and processing functions are the
 * same code in every architecture: a bundle whose files hash the same is measured once.
 */
async function functionSubjects(tokens: {
  customer: string;
  operator: string;
}): Promise<Subject[]> {
  const byHash = new Map<string, Subject>();
  for (const architecture of architectures) {
    for (const spec of functionsOf(architecture)) {
      const dir = bundleDir(spec.name);
      const hash = await hashOf(dir);
      const known = byHash.get(hash);
      if (known !== undefined) {
        known.architectures += `, ${architecture}`;
        continue;
      }
      const module = resolve(dir, "index.mjs");
      const a = withoutIo(spec, PEER_ORIGIN);
      const b = withStoreRequest(spec, tokens);
      byHash.set(hash, {
        architectures: architecture,
        name: spec.name,
        module: { a: module, b: module, c: module },
        invocations: { ...(a === undefined ? {} : { a }), ...(b === undefined ? {} : { b }) },
      });
    }
  }
  return [...byHash.values()];
}

/** Each peer built twice, without and with its store request, as scripts/build.ts builds. */
async function peerSubjects(dir: string): Promise<Subject[]> {
  const subjects: Subject[] = [];
  // The route every peer serves, as the nano function serving only it has it.
  const spec = functionsOf("nano").find((candidate) => candidate.name === "getProductsId");
  if (spec === undefined) throw new Error("no getProductsId function to compare the peers with");
  const preflight = withoutIo(spec, PEER_ORIGIN);
  const get = withStoreRequest(spec, { customer: "", operator: "" });
  for (const peer of PEERS) {
    const modules: Record<"a" | "b", string> = { a: "", b: "" };
    for (const column of ["a", "b"] as const) {
      const outdir = join(dir, `${peer.name}-${column}`);
      await mkdir(outdir, { recursive: true });
      await build({
        stdin: {
          contents: peer.source(column === "b"),
          resolveDir: process.cwd(),
          sourcefile: `${peer.name}.mjs`,
          loader: "js",
        },
        outdir,
        ...LAMBDA_BUNDLE,
      });
      modules[column] = join(outdir, "index.mjs");
    }
    subjects.push({
      architectures: "peer",
      name: peer.name,
      module: { a: modules.a, b: modules.b, c: modules.b },
      invocations: {
        ...(preflight === undefined ? {} : { a: preflight }),
        ...(get === undefined ? {} : { b: get }),
      },
    });
  }
  return subjects;
}

/** The bytes of every .mjs file of a bundle, hashed: equal code, equal hash. */
async function hashOf(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const files = [
    "index.mjs",
    ...(await readdir(join(dir, "chunks")).catch(() => [] as string[]))
      .filter((name) => name.endsWith(".mjs"))
      .sort()
      .map((name) => join("chunks", name)),
  ];
  for (const file of files) hash.update(file).update(await readFile(join(dir, file)));
  return hash.digest("hex");
}

/** A fresh process running `runner` on `module` with `invocation`: spawn to answer, in ms. */
function invokeOnce(
  runner: string,
  module: string,
  invocation: Invocation | undefined,
  env: Record<string, string>,
): Promise<{ ms: number; cpuMs: number; outcome: string }> {
  return timeChild([runner, pathToFileURL(module).href], {
    PATH: process.env.PATH ?? "",
    ...env,
    ...(invocation === undefined ? {} : { BENCH_EVENT: JSON.stringify(invocation.event) }),
  }).then(({ ms, stdout, stderr }) => {
    const answer = /^([1-5]\d\d|\d+ failed|-) ([\d.]+)$/.exec(stdout);
    if (answer === null) throw new Error(`${module} failed (${stdout}):\n${stderr}`);
    return { ms, cpuMs: Number(answer[2]), outcome: answer[1] ?? "" };
  });
}

/** Runs `node args` and times it from spawn to its first output, or to its exit without one. */
function timeChild(
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let answeredAt: bigint | undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      answeredAt ??= process.hrtime.bigint();
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.once("error", reject);
    child.once("close", () => {
      const ms = Number((answeredAt ?? process.hrtime.bigint()) - started) / 1e6;
      resolvePromise({ ms, stdout, stderr });
    });
  });
}

function printResults(
  subjects: readonly Subject[],
  tasks: readonly Task[],
  columns: readonly Column[],
  baseline: Baseline,
): void {
  const base = median(baseline.ms);
  const cpuBase = median(baseline.cpuMs);
  const roundBase = baseline.msByRound.map((values) => median(values));
  const cell = (task: Task | undefined): string => {
    if (task === undefined) return "-";
    const ratio = median(task.ms) / base;
    // The spread: each round's time over that round's own baseline, lowest to highest.
    const perRound = task.ms.map((ms, round) => ms / (roundBase[round] ?? base));
    const low = Math.min(...perRound);
    const high = Math.max(...perRound);
    const target = task.column === "c" ? undefined : TARGET[task.column];
    const mark = target === undefined ? "" : ratio <= target ? " ok" : " OVER";
    const cpu = median(task.cpuMs) / cpuBase;
    return `${ratio.toFixed(2)}x (${low.toFixed(2)}-${high.toFixed(2)})${mark}, cpu ${cpu.toFixed(2)}x`;
  };
  const what = (task: Task | undefined): string => {
    if (task === undefined) return "-";
    const requests = task.probe.requests;
    const count = requests === undefined ? "" : `, ${requests} req`;
    return `${task.invocation.what} -> ${task.probe.outcome}${count}`;
  };
  const rows = subjects.map((subject) => {
    const of = (column: Column) =>
      tasks.find((task) => task.subject === subject && task.column === column);
    return [
      subject.architectures,
      subject.name,
      what(of("a")),
      cell(of("a")),
      what(of("b")),
      cell(of("b")),
      ...(columns.includes("c") ? [cell(of("c"))] : []),
    ];
  });
  const header = [
    "architecture",
    "function",
    "(a) no I/O",
    `(a) ratio (spread), <= ${TARGET.a}x`,
    "(b) one store request",
    `(b) fake DynamoDB, <= ${TARGET.b}x`,
    ...(columns.includes("c") ? ["(c) DynamoDB Local"] : []),
  ];
  const widths = header.map((head, i) =>
    Math.max(head.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, i) => text.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log();
  console.log(
    `baseline (import of an empty ES module): median ${base.toFixed(1)} ms to the answer, ${cpuBase.toFixed(1)} ms of CPU, ${baseline.ms.length} starts`,
  );
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) console.log(line(row));
  const ours = tasks.filter((task) => task.subject.architectures !== "peer");
  for (const column of ["a", "b"] as const) {
    const measured = ours.filter((task) => task.column === column);
    if (measured.length === 0) continue;
    const worst = Math.max(...measured.map((task) => median(task.ms) / base));
    const worstCpu = Math.max(...measured.map((task) => median(task.cpuMs) / cpuBase));
    console.log(
      `(${column}) worst function ${worst.toFixed(2)}x (cpu ${worstCpu.toFixed(2)}x), target <= ${TARGET[column]}x: ${worst <= TARGET[column] ? "met" : "not met"}`,
    );
  }
  const silent = ours.filter((task) => task.column === "b" && task.probe.requests === 0);
  const chatty = ours.filter((task) => task.column === "a" && (task.probe.requests ?? 0) > 0);
  for (const task of silent) {
    console.log(`warning: ${task.subject.name} (b) made no store request`);
  }
  for (const task of chatty) {
    console.log(`warning: ${task.subject.name} (a) made ${task.probe.requests} store request(s)`);
  }
}

/** `--instructions`: every task's start counted once, over the median of three empty starts. */
async function printInstructions(
  subjects: readonly Subject[],
  tasks: readonly Task[],
  runner: string,
  empty: string,
  envOf: (column: Column) => Record<string, string>,
): Promise<void> {
  console.log(`counting the instructions of ${tasks.length + 3} starts, two at a time ...`);
  const bare = { PATH: process.env.PATH ?? "" };
  const counts = await inPairs([
    ...[1, 2, 3].map(() => () => countInstructions(runner, empty, bare)),
    ...tasks.map(
      (task) => () =>
        countInstructions(runner, task.module, {
          ...envOf(task.column),
          BENCH_EVENT: JSON.stringify(task.invocation.event),
        }),
    ),
  ]);
  const base = median(counts.slice(0, 3));
  const countOf = new Map(tasks.map((task, i) => [task, counts[i + 3] ?? Number.NaN]));
  const cell = (subject: Subject, column: Column) => {
    const task = tasks.find((each) => each.subject === subject && each.column === column);
    const count = task === undefined ? undefined : countOf.get(task);
    if (count === undefined) return "-";
    const ratio = count / base;
    const target = column === "c" ? undefined : TARGET[column];
    const mark = target === undefined ? "" : ratio <= target ? " ok" : " OVER";
    return `${(count / 1e6).toFixed(0)} M, ${ratio.toFixed(2)}x${mark}`;
  };
  console.log(`empty ES module: ${(base / 1e6).toFixed(0)} M instructions (median of 3)`);
  console.log(`| architecture | function | (a) <= ${TARGET.a}x | (b) <= ${TARGET.b}x |`);
  console.log("| --- | --- | --- | --- |");
  for (const subject of subjects) {
    console.log(
      `| ${subject.architectures} | ${subject.name} | ${cell(subject, "a")} | ${cell(subject, "b")} |`,
    );
  }
}
