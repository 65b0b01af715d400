import autocannon from "autocannon";
import { buildDevServer, DEV_SERVER_BUNDLE } from "../scripts/dev-server-bundle.js";
import { createServerGroup, type RunningServer } from "./child-processes.js";
import { compareInterleaved, median } from "./measure.js";

// `npm run bench -- cpu [requests] [rounds]`: the dev server budget's two servers (the dev
// server's bundle as `npm start` runs it, and bare node:http), each loaded with a fixed number of
// requests by autocannon (10 connections, the budget's path), in interleaved rounds; the server's
// own CPU time (user + system, from /proc) per request. A figure another process on the machine
// moves less than requests per second, which the load generator shares the cores for.

const PATH = "/products/lonely-bird";
const CONNECTIONS = 10;
const WARMUP_REQUESTS = 10_000;
const REQUESTS = Number(process.argv[3] ?? 30_000);
const ROUNDS = Number(process.argv[4] ?? 8);

const { LOG_REQUESTS: _default, ...env } = process.env;
await buildDevServer();
const servers = createServerGroup();
process.once("exit", () => servers.killAllNow());
try {
  const [subject, baseline] = await Promise.all([
    servers.start({
      label: "dev server",
      script: DEV_SERVER_BUNDLE,
      env: { ...env, STORE: "memory" },
      readyPath: PATH,
    }),
    servers.start({
      label: "bare node:http",
      script: "bench/bare-http-server.ts",
      env,
      readyPath: PATH,
    }),
  ]);
  for (const server of [subject, baseline]) await load(server, WARMUP_REQUESTS);
  // Requests per CPU-second, so that the ratio reads as the budget's (higher is better).
  const comparison = await compareInterleaved(ROUNDS, async (which) => {
    const server = which === "subject" ? subject : baseline;
    const before = server.cpuSeconds();
    await load(server, REQUESTS);
    const after = server.cpuSeconds();
    if (before === undefined || after === undefined) throw new Error("no /proc to read CPU time");
    return REQUESTS / (after - before);
  });
  const micros = (rates: number[]) => rates.map((rate) => 1e6 / rate);
  const line = (label: string, rates: number[]) => {
    const each = micros(rates).map((us) => us.toFixed(1));
    console.log(
      `${label}: ${(1e6 / median(rates)).toFixed(1)} us CPU per request (median), rounds ${each.join(", ")}`,
    );
  };
  console.log(`${REQUESTS} requests per round, ${ROUNDS} rounds, ${CONNECTIONS} connections`);
  line(`dev server (${DEV_SERVER_BUNDLE})`, comparison.subjectRates);
  line("bare node:http", comparison.baselineRates);
  console.log(`ratio of requests per CPU-second: ${comparison.ratio.toFixed(2)}x`);
} finally {
  await servers.stopAll();
}

/** A fixed number of requests; any error or non-2xx answer voids the run. */
async function load(server: RunningServer, amount: number): Promise<void> {
  const result = await autocannon({
    url: `${server.url}${PATH}`,
    connections: CONNECTIONS,
    amount,
  });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${server.label}: ${result.errors} errors, ${result.timeouts} timeouts`);
  }
}
