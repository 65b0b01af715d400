import autocannon from "autocannon";
import { buildDevServer, DEV_SERVER_BUNDLE } from "../scripts/dev-server-bundle.js";
import type { RunningServer, ServerGroup } from "./child-processes.js";
import { type Comparison, compareInterleaved } from "./measure.js";

export interface DevServerComparison extends Comparison {
  /** Per round, the share of one core each server got (undefined off Linux), in round order. */
  subjectCpuShares: (number | undefined)[];
  baselineCpuShares: (number | undefined)[];
}

export interface DevServerBenchOptions {
  path: string;
  connections: number;
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
}

/**
 * `npm start` on the memory store (request logging on, as a user runs it: the dev server's
 * bundle, built first as `npm start` builds it) against a bare node:http server doing the same
 * work, each a child process, loaded by autocannon in turn.
 */
export async function benchDevServer(
  servers: ServerGroup,
  options: DevServerBenchOptions,
): Promise<DevServerComparison> {
  const { LOG_REQUESTS: _default, ...env } = process.env;
  await buildDevServer();
  const [subject, baseline] = await Promise.all([
    servers.start({
      label: "dev server",
      script: DEV_SERVER_BUNDLE,
      env: { ...env, STORE: "memory" },
      readyPath: options.path,
    }),
    servers.start({
      label: "bare node:http",
      script: "bench/bare-http-server.ts",
      env,
      readyPath: options.path,
    }),
  ]);
  await expectSameBody(subject, baseline, options.path);

  for (const server of [subject, baseline]) await load(server, options, options.warmupSeconds);
  const subjectCpuShares: (number | undefined)[] = [];
  const baselineCpuShares: (number | undefined)[] = [];
  const comparison = await compareInterleaved(options.rounds, async (which) => {
    const server = which === "subject" ? subject : baseline;
    const cpuBefore = server.cpuSeconds();
    const started = performance.now();
    const rate = await load(server, options, options.roundSeconds);
    const cpuAfter = server.cpuSeconds();
    const share =
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : (cpuAfter - cpuBefore) / ((performance.now() - started) / 1000);
    (which === "subject" ? subjectCpuShares : baselineCpuShares).push(share);
    return rate;
  });
  return { ...comparison, subjectCpuShares, baselineCpuShares };
}

/** Requests per second over the whole run; any error or non-2xx answer voids the run. */
async function load(
  server: RunningServer,
  options: DevServerBenchOptions,
  seconds: number,
): Promise<number> {
  const result = await autocannon({
    url: `${server.url}${options.path}`,
    connections: options.connections,
    duration: seconds,
  });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `${server.label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
    );
  }
  return result.requests.total / result.duration;
}

async function expectSameBody(a: RunningServer, b: RunningServer, path: string): Promise<void> {
  const [bodyA, bodyB] = await Promise.all(
    [a, b].map(async (server) => {
      const response = await fetch(`${server.url}${path}`);
      return `${response.status} ${await response.text()}`;
    }),
  );
  if (bodyA !== bodyB) {
    throw new Error(`${a.label} and ${b.label} answer ${path} differently:\n${bodyA}\n${bodyB}`);
  }
}
