import os from "node:os";
import { createServerGroup } from "./child-processes.js";
import { benchDevServer } from "./dev-server-bench.js";
import { type Comparison, median } from "./measure.js";
import { benchRouter } from "./router-bench.js";

// The performance budget: ratios against a baseline measured in the same run, never absolute
// times, so the verdict holds on any machine. `--strict` turns a missed budget into exit code 1.
const ROUTER_MIN_RATIO = 0.3;
const DEV_SERVER_MIN_RATIO = 0.8;
const PRODUCT_ID = "lonely-bird";
/** Below this share of a core during a round, a server was not the only thing running. */
const STARVED_CPU_SHARE = 0.75;

interface Budget {
  name: string;
  subject: string;
  baseline: string;
  unit: string;
  minRatio: number;
  comparison: Comparison;
  /** Per round, the share of a core the server process got: a starved round flatters the ratio. */
  cpuShares?: { subject: (number | undefined)[]; baseline: (number | undefined)[] };
}

// `npm run bench -- cold`, `-- cost`, `-- memory` and `-- scale` are benchmarks of their own
// (cold-start.ts, cost.ts, memory.ts, scale.ts: partitions under a scaled limit), run instead of
// the budgets; `-- profile` profiles the dev server budget's two servers under its load
// (profile.ts), `-- cpu` measures their CPU time per request (cpu-per-request.ts), `-- stripe`
// what loading the stripe package costs a cold start (stripe-import.ts).
const COMMANDS: Record<string, string> = {
  cold: "./cold-start.js",
  cost: "./cost.js",
  cpu: "./cpu-per-request.js",
  memory: "./memory.js",
  profile: "./profile.js",
  scale: "./scale.js",
  stripe: "./stripe-import.js",
};
const command = COMMANDS[process.argv[2] ?? ""];
if (command !== undefined) {
  await import(command);
  process.exit(process.exitCode ?? 0);
}

const strict = process.argv.includes("--strict");
const servers = createServerGroup();
process.once("exit", () => servers.killAllNow());
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    servers.killAllNow();
    process.exit(130);
  });
}

const cpus = os.cpus();
console.log(
  `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? "unknown CPU"}, ${os.platform()} ${os.release()}`,
);
const idleBefore = await idleShare(1000);
console.log(`CPU idle before the run: ${(idleBefore * 100).toFixed(0)}%`);

const budgets: Budget[] = [];
try {
  console.log("router: composed handler vs bare switch, 5 interleaved rounds of 1 s ...");
  budgets.push({
    name: "router",
    subject: "compose() handler",
    baseline: "bare switch",
    unit: "ops/s",
    minRatio: ROUTER_MIN_RATIO,
    comparison: await benchRouter({
      productId: PRODUCT_ID,
      rounds: 5,
      roundMs: 1000,
      warmupMs: 1000,
    }),
  });

  console.log(
    "dev server: npm start vs bare node:http, 10 connections, 12 interleaved rounds of 1 s ...",
  );
  const devServer = await benchDevServer(servers, {
    path: `/products/${PRODUCT_ID}`,
    connections: 10,
    rounds: 12,
    roundSeconds: 1,
    warmupSeconds: 1,
  });
  budgets.push({
    name: "dev server",
    subject: "npm start (dist/local/main.mjs)",
    baseline: "bare node:http",
    unit: "req/s",
    minRatio: DEV_SERVER_MIN_RATIO,
    comparison: devServer,
    cpuShares: { subject: devServer.subjectCpuShares, baseline: devServer.baselineCpuShares },
  });
} finally {
  await servers.stopAll();
}

printTable(budgets);
printRounds(budgets);
// Another process on the cores shrinks both rates, and the load generator shares the cores with
// the server, so a busy machine pushes the dev server's ratio towards 1: say so with the numbers.
if (idleBefore < 0.8) {
  console.log("warning: the machine was busy before the run; the ratios are less trustworthy");
}
const starved = budgets.flatMap((budget) =>
  budget.cpuShares === undefined
    ? []
    : [...budget.cpuShares.subject, ...budget.cpuShares.baseline].filter(
        (share) => share !== undefined && share < STARVED_CPU_SHARE,
      ),
);
if (starved.length > 0) {
  console.log(
    `warning: in ${starved.length} round(s) a server got less than ${STARVED_CPU_SHARE * 100}% of a core (another process competed); the dev server ratio leans towards 1, rerun on a quiet machine`,
  );
}
const failed = budgets.filter((budget) => budget.comparison.ratio < budget.minRatio);
if (strict && failed.length > 0) process.exitCode = 1;

function printTable(rows: readonly Budget[]): void {
  const format = (n: number) => Math.round(n).toLocaleString("en-US");
  const table = rows.map((row) => {
    const { subjectMedian, baselineMedian, ratio } = row.comparison;
    return [
      row.name,
      `${row.subject} vs ${row.baseline}`,
      `${format(subjectMedian)} ${row.unit}`,
      `${format(baselineMedian)} ${row.unit}`,
      `${ratio.toFixed(2)}x`,
      `>= ${row.minRatio}x`,
      ratio >= row.minRatio ? "PASS" : "FAIL",
    ];
  });
  const header = [
    "budget",
    "compared",
    "subject (median)",
    "baseline (median)",
    "ratio (median of rounds)",
    "min",
    "",
  ];
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...table.map((line) => line[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log();
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of table) console.log(line(row));
}

function printRounds(rows: readonly Budget[]): void {
  console.log();
  for (const row of rows) {
    const { subjectRates, baselineRates } = row.comparison;
    const rates = (values: number[]) => values.map((n) => Math.round(n)).join(", ");
    const paired = row.comparison.pairedRatios.map((ratio) => ratio.toFixed(2));
    console.log(`${row.name}, ${row.unit} per round:`);
    console.log(`  subject  ${rates(subjectRates)}`);
    console.log(`  baseline ${rates(baselineRates)}`);
    console.log(`  ratio    ${paired.join(", ")}`);
    if (row.cpuShares !== undefined) {
      const shares = (values: (number | undefined)[]) =>
        values.map((share) => (share === undefined ? "?" : share.toFixed(2))).join(", ");
      console.log(`  server CPU, share of a core: subject ${shares(row.cpuShares.subject)}`);
      console.log(`                               baseline ${shares(row.cpuShares.baseline)}`);
      const perCpu = perCpuSecondRatios(row.comparison, row.cpuShares);
      if (perCpu.length > 0) {
        const ratios = perCpu.map((ratio) => ratio.toFixed(2)).join(", ");
        console.log(
          `  ratio per server CPU-second ${ratios} (median ${median(perCpu).toFixed(2)})`,
        );
      }
    }
  }
}

/**
 * Requests per CPU-second of the server, subject over baseline, per round: what each request costs
 * the server whatever share of a core it got, so another process on the machine hardly moves it.
 */
function perCpuSecondRatios(
  comparison: Comparison,
  cpuShares: NonNullable<Budget["cpuShares"]>,
): number[] {
  const ratios: number[] = [];
  comparison.subjectRates.forEach((subjectRate, i) => {
    const subjectShare = cpuShares.subject[i];
    const baselineShare = cpuShares.baseline[i];
    const baselineRate = comparison.baselineRates[i];
    if (subjectShare && baselineShare && baselineRate) {
      ratios.push(subjectRate / subjectShare / (baselineRate / baselineShare));
    }
  });
  return ratios;
}

/** The share of all cores' time spent idle over the next `ms` milliseconds. */
async function idleShare(ms: number): Promise<number> {
  const totals = () =>
    os.cpus().reduce(
      (sum, cpu) => {
        const { idle, user, nice, sys, irq } = cpu.times;
        return { idle: sum.idle + idle, all: sum.all + idle + user + nice + sys + irq };
      },
      { idle: 0, all: 0 },
    );
  const before = totals();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = totals();
  return (after.idle - before.idle) / Math.max(1, after.all - before.all);
}
