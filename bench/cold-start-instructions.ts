import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";

/**
 * The instructions one fresh process executes, all its threads together, counted by valgrind's
 * callgrind: `node runner module` with `env` alone. Unlike a time, the count does not move with
 * whatever else runs on the machine, so the cold-start benchmark's `--instructions` mode compares
 * functions on a busy machine; it weighs every thread's work as a sandbox with one vCPU or less
 * feels it, not as a multi-core machine hides a threadpool's.
 */
export function countInstructions(
  runner: string,
  module: string,
  env: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "valgrind",
      [
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        process.execPath,
        runner,
        pathToFileURL(module).href,
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", () => {
      const collected = /Collected : (\d+)/.exec(stderr);
      if (collected === null || !/^([1-5]\d\d|\d+ failed|-) /.test(stdout)) {
        reject(new Error(`${module} under valgrind (${stdout}):\n${stderr.slice(-2000)}`));
        return;
      }
      resolve(Number(collected[1]));
    });
  });
}

/** Runs `jobs` two at a time (the machine's cores): each count is the same whatever runs beside. */
export async function inPairs<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await (jobs[index] as () => Promise<T>)();
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}
