import { compose, loadConfig } from "../src/compose/index.js";
import { createGraphqlExecutor } from "../src/graphql/executor.js";
import {
  ABUSIVE_DOCUMENTS,
  BASELINE_DOCUMENT,
  serverCpuOf,
} from "../test/helpers/graphql-abuse.js";
import { median } from "./measure.js";

// Server CPU time of each abusive GraphQL document (every one under 8 KiB, sent anonymously)
// against a plain catalogue query, in one run: process.cpuUsage around the executor call,
// in-process on the memory store. Each call sends a new copy of the text (a numbered comment),
// so none is answered from the executor's cache of accepted documents. The first call of each
// is the cold one; then the median and the worst of the repeats. The bar: no request under 8 KiB over 100 ms of server CPU.
// Command: npx tsx bench/graphql-abuse.ts [--repeats=N] [--only=text]
const BAR_MS = 100;
const argument = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const repeats = Number(argument("repeats") ?? 20);
const only = argument("only");

const app = await compose(loadConfig({ STORE: "memory", LOG_REQUESTS: "false" }));
const executor = createGraphqlExecutor(app.services, { introspection: true, log: () => {} });
const context = {
  caller: undefined,
  guestCartToken: undefined,
  method: "POST",
  requestId: "bench",
} as const;

interface Row {
  name: string;
  bytes: number;
  status: number;
  code: string;
  firstMs: number;
  medianMs: number;
  worstMs: number;
}

async function measure(name: string, query: string): Promise<Row> {
  const times: number[] = [];
  let status = 0;
  let code = "";
  for (let i = 0; i <= repeats; i++) {
    const { cpuMs, response } = await serverCpuOf(executor, query, context, i);
    times.push(cpuMs);
    status = response.statusCode;
    code = String(response.body.errors?.[0]?.extensions?.code ?? "");
  }
  const [firstMs = Number.NaN, ...rest] = times;
  return {
    name,
    bytes: Buffer.byteLength(query),
    status,
    code,
    firstMs,
    medianMs: median(rest),
    worstMs: Math.max(...times),
  };
}

const rows: Row[] = [await measure(`baseline \`${BASELINE_DOCUMENT}\``, BASELINE_DOCUMENT)];
for (const [name, query] of Object.entries(ABUSIVE_DOCUMENTS)) {
  if (only !== undefined && !name.includes(only)) continue;
  rows.push(await measure(name, query));
}
await app.close();

const baseline = rows[0]?.medianMs ?? Number.NaN;
const ms = (n: number) => n.toFixed(2);
console.log(`node ${process.version}; ${repeats} repeats after the first call`);
console.log(
  "| document | bytes | answer | CPU ms, first call | CPU ms, median | CPU ms, worst | median / baseline |",
);
console.log("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
for (const row of rows) {
  const answer = row.code === "" ? String(row.status) : `${row.status} ${row.code}`;
  console.log(
    `| ${row.name} | ${row.bytes} | ${answer} | ${ms(row.firstMs)} | ${ms(row.medianMs)} | ${ms(row.worstMs)} | ${(row.medianMs / baseline).toFixed(1)}x |`,
  );
}
const over = rows.filter((row) => row.worstMs > BAR_MS);
console.log(
  over.length === 0
    ? `every document under ${BAR_MS} ms of server CPU`
    : `over ${BAR_MS} ms of server CPU: ${over.map((row) => row.name).join(", ")}`,
);
process.exitCode = over.length === 0 ? 0 : 1;
