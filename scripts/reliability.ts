import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// `npm run reliability`: every figure of RELIABILITY.md in one run. Three phases: the suite as
// `npm test` runs it (seed-fixed samples), the same suite with RELIABILITY_RUNS generated cases
// (10,000 by default: the long fuzz), and the 60 s soak. Prints the table; `-- --write` also
// puts it in RELIABILITY.md between its markers. Exits non-zero when any check failed.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LONG_RUNS = process.env.RELIABILITY_RUNS ?? "10000";
const WRITE = process.argv.includes("--write");
const START = "<!-- reliability-figures:start -->";
const END = "<!-- reliability-figures:end -->";

type Figures = Record<string, string>;

function run(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: "inherit",
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve(code ?? 1));
  });
}

function readFigures(file: string): Figures {
  const figures: Figures = {};
  if (!existsSync(file)) return figures;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const { key, value, unit } = JSON.parse(line) as {
      key: string;
      value: string | number;
      unit: string;
    };
    figures[key] = unit === "" ? String(value) : `${value} ${unit}`;
  }
  return figures;
}

/** Test files that had a failing test, from vitest's JSON report. */
function failedFiles(report: string): Set<string> {
  const failed = new Set<string>();
  if (!existsSync(report)) return failed;
  const json = JSON.parse(readFileSync(report, "utf8")) as {
    testResults: {
      name: string;
      status: string;
      assertionResults: { status: string; title: string }[];
    }[];
  };
  for (const file of json.testResults) {
    const name = file.name.split("/").at(-1) ?? file.name;
    if (file.status === "failed" || file.assertionResults.some((a) => a.status === "failed"))
      failed.add(name);
  }
  return failed;
}

interface Row {
  check: string;
  file: string;
  sample: string;
  long?: string;
}

/** The table: `{key}` is a figure of the sample run, `{long:key}` of the long run, `{soak:key}` of the soak. */
const ROWS: Row[] = [
  {
    check:
      "REST fuzz: every operation of the OpenAPI document (and so of the route table), anonymous, shopper, operator, bad token; SQLite, in-process",
    file: "fuzz-rest.test.ts",
    sample:
      "{rest_fuzz_requests} requests over {rest_fuzz_operations} operations; statuses {rest_fuzz_statuses}; max CPU {rest_fuzz_max_cpu_ms}, {rest_fuzz_over_100ms} over 100 ms",
    long: "{long:rest_fuzz_requests} requests; statuses {long:rest_fuzz_statuses}; max CPU {long:rest_fuzz_max_cpu_ms}, {long:rest_fuzz_over_100ms} over 100 ms",
  },
  {
    check:
      "GraphQL fuzz: documents within the schema's grammar (aliases, fragments, variables, wrong types, damaged text), POST and GET",
    file: "fuzz-graphql.test.ts",
    sample:
      "{graphql_fuzz_requests} requests ({graphql_fuzz_executed} executed); max CPU {graphql_fuzz_max_cpu_ms}, {graphql_fuzz_over_100ms} over 100 ms",
    long: "{long:graphql_fuzz_requests} requests ({long:graphql_fuzz_executed} executed); max CPU {long:graphql_fuzz_max_cpu_ms}, {long:graphql_fuzz_over_100ms} over 100 ms",
  },
  {
    check:
      "GraphQL abuse under 8 KiB: fragment chains, repeated fields, aliases, deep literals and selections, directives, variables; no suggestions with introspection off",
    file: "graphql-abuse.test.ts",
    sample:
      "21-level fragment chain: {graphql_fragment_chain_21_cpu_ms} of CPU; worst shape {graphql_abuse_max_cpu_ms}; {graphql_abuse_over_100ms} over 100 ms",
    long: "worst shape {long:graphql_abuse_max_cpu_ms}; {long:graphql_abuse_over_100ms} over 100 ms",
  },
  {
    check:
      "Identity: forged, expired, alg none/HS256 confusion, other key, embedded jwk, wrong audience/issuer/token use on every REST route that takes a token, GraphQL and $connect",
    file: "identity.test.ts",
    sample:
      "{identity_token_kinds} kinds of token, {identity_probes_refused} probes, all 401, nothing leaked",
  },
  {
    check: "Identity claims: no exp, a ten-year lifetime, an unknown sub writing",
    file: "identity-claims.test.ts",
    sample: "3 checks",
  },
  {
    check:
      "Cross-user: Bob against Ada's orders (every route with an id), cart, idempotency key, GraphQL, and their WebSockets (dev server, SQLite)",
    file: "cross-user.test.ts",
    sample: "{cross_user_probes} probes, nothing of Ada's read or changed",
  },
  {
    check:
      "Exactly once on SQLite: concurrent retries with one Idempotency-Key; shoppers racing for the last units",
    file: "exactly-once-sqlite.test.ts",
    sample:
      "{sqlite_idempotent_retries} retries: {sqlite_idempotent_orders} order, answers {sqlite_idempotent_statuses}; {sqlite_last_units_shoppers} shoppers for 5 units: {sqlite_last_units_placed} placed, stock after {sqlite_last_units_stock_after}",
    long: "{long:sqlite_idempotent_retries} retries: {long:sqlite_idempotent_orders} order, answers {long:sqlite_idempotent_statuses}",
  },
  {
    check:
      "Exactly once on DynamoDB Local (same races); store outage (ServiceUnavailable) and recovery; a missing table",
    file: "dynamodb-local.test.ts",
    sample:
      "{dynamodb_idempotent_retries} retries: {dynamodb_idempotent_orders} order, answers {dynamodb_idempotent_statuses}; {dynamodb_last_units_shoppers} shoppers for 4 units: {dynamodb_last_units_placed} placed, stock after {dynamodb_last_units_stock_after}; outage: 503 + Retry-After in {dynamodb_outage_ms_per_refusal} each, recovered: {dynamodb_outage_recovered}",
    long: "{long:dynamodb_idempotent_retries} retries: {long:dynamodb_idempotent_orders} order, answers {long:dynamodb_idempotent_statuses}",
  },
  {
    check: "Store outage on SQLite (write lock held by another connection) and recovery",
    file: "store-outage.test.ts",
    sample:
      "503 + Retry-After after {sqlite_outage_ms_per_refused_write} per write (the busy timeout), the event loop blocked up to {sqlite_outage_event_loop_blocked_ms}; recovered: {sqlite_outage_recovered}",
  },
  {
    check: "Slow clients on the dev server: headers never finished; a body at 1 byte per 100 ms",
    file: "slow-clients.test.ts",
    sample:
      "closed at {slow_clients_header_closed_ms} and {slow_clients_body_closed_ms}; meanwhile {slow_clients_others_answered} other requests all 200, slowest {slow_clients_others_max_ms}",
    long: "with the shipped limits (soak): closed after {soak:soak_slow_headers_closed_after} and {soak:soak_slow_body_closed_after}",
  },
  {
    check:
      "Edge headers: no-store on private answers, nosniff, HEAD, Node's early refusals as problem+json",
    file: "edge-headers.test.ts",
    sample: "3 checks",
  },
  {
    check:
      "Crash: the dev server killed (SIGKILL) during 12 concurrent checkouts, started again on the same store; nothing left in flight, stock + units in live orders = initial, each order charged once",
    file: "test/e2e/crash-recovery.test.ts",
    sample:
      "SQLite: {crash_sqlite_in_flight_at_kill} in flight at the kill, after the restart {crash_sqlite_orders} orders, 0 in flight, {crash_sqlite_charges} charges; DynamoDB Local: {crash_dynamodb_in_flight_at_kill} in flight, then {crash_dynamodb_orders}, 0 in flight, {crash_dynamodb_charges} charges",
  },
  {
    check:
      "An order being paid for while SQLite is locked for 10 s, longer than the queue's three attempts used to last",
    file: "test/e2e/in-flight-outage.test.ts",
    sample:
      "COMPLETED, paid once, {outage_in_flight_completed_after_ms} ms after the lock was taken",
  },
  {
    check: "Soak: `npm start`'s server (child process, SQLite), mixed traffic",
    file: "soak",
    sample: "(not in npm test)",
    long: "{soak:soak_seconds} at concurrency {soak:soak_concurrency}: {soak:soak_requests} requests ({soak:soak_requests_per_second}/s), {soak:soak_errors} errors, statuses {soak:soak_statuses}; p50 {soak:soak_p50_ms}, p99 {soak:soak_p99_ms}; RSS {soak:soak_rss_10s_mb} at 10 s, {soak:soak_rss_end_mb} at the end",
  },
];

function fill(template: string, sources: Record<string, Figures>): string {
  return template.replace(
    /\{(?:(long|soak):)?(\w+)\}/g,
    (_all, source: string | undefined, key: string) => {
      return sources[source ?? "sample"]?.[key] ?? "?";
    },
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "reliability-"));
  const files = {
    sample: join(dir, "sample.jsonl"),
    long: join(dir, "long.jsonl"),
    soak: join(dir, "soak.jsonl"),
  };
  const vitest = ["vitest", "run", "test/reliability", "--reporter=default", "--reporter=json"];
  try {
    process.stdout.write("\n== the suite as npm test runs it (seed-fixed samples)\n");
    // The crash test is an end-to-end test of its own; its figures belong to the table.
    const crash = ["test/e2e/crash-recovery.test.ts", "test/e2e/in-flight-outage.test.ts"];
    const sampleArgs = [...vitest, ...crash, `--outputFile=${join(dir, "sample.json")}`];
    const sampleCode = await run("npx", sampleArgs, { RELIABILITY_FIGURES: files.sample });
    process.stdout.write(`\n== the long run: RELIABILITY_RUNS=${LONG_RUNS}\n`);
    const longArgs = [...vitest, "--testTimeout=1800000", `--outputFile=${join(dir, "long.json")}`];
    const longCode = await run("npx", longArgs, {
      RELIABILITY_FIGURES: files.long,
      RELIABILITY_RUNS: LONG_RUNS,
    });
    process.stdout.write("\n== the soak\n");
    const soakCode = await run("npx", ["tsx", "bench/soak.ts"], {
      RELIABILITY_FIGURES: files.soak,
    });

    const sources = {
      sample: readFigures(files.sample),
      long: readFigures(files.long),
      soak: readFigures(files.soak),
    };
    const failed = new Set([
      ...failedFiles(join(dir, "sample.json")),
      ...failedFiles(join(dir, "long.json")),
    ]);
    const lines = [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run reliability\` (long run: RELIABILITY_RUNS=${LONG_RUNS}).`,
      "",
      "| Check | In `npm test` (seed 1414) | Long run | Result | File |",
      "| --- | --- | --- | --- | --- |",
      ...ROWS.map((row) => {
        const result =
          row.file === "soak"
            ? soakCode === 0
              ? "passed"
              : "FAILED"
            : failed.has(row.file.split("/").at(-1) ?? row.file)
              ? "FAILED"
              : "passed";
        const file =
          row.file === "soak"
            ? "`bench/soak.ts`"
            : `\`${row.file.includes("/") ? row.file : `test/reliability/${row.file}`}\``;
        return `| ${row.check} | ${fill(row.sample, sources)} | ${row.long === undefined ? "—" : fill(row.long, sources)} | ${result} | ${file} |`;
      }),
    ];
    const table = lines.join("\n");
    process.stdout.write(`\n${table}\n`);
    if (WRITE) {
      const path = join(ROOT, "RELIABILITY.md");
      const text = readFileSync(path, "utf8");
      const from = text.indexOf(START);
      const to = text.indexOf(END);
      if (from < 0 || to < from)
        throw new Error(`RELIABILITY.md has no ${START} ... ${END} markers`);
      writeFileSync(path, `${text.slice(0, from + START.length)}\n${table}\n${text.slice(to)}`);
      process.stdout.write("\nRELIABILITY.md updated\n");
    }
    if (sampleCode !== 0 || longCode !== 0 || soakCode !== 0) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
