import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/helpers/free-port.js";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3_000;
// Linux reports CPU time in clock ticks of 1/100 s on every architecture Node supports.
const CLOCK_TICKS_PER_SECOND = 100;

export interface RunningServer {
  label: string;
  url: string;
  /** CPU seconds the server has used so far; undefined where /proc is not there to ask. */
  cpuSeconds(): number | undefined;
}

export interface StartOptions {
  label: string;
  /**
   * The entry point, relative to the repository root: TypeScript, run through tsx, or a built
   * `.mjs` (the dev server's bundle), run by node alone with its source map, as `npm start` does.
   */
  script: string;
  env: Record<string, string | undefined>;
  /** Polled until it answers 200: the server is then up. */
  readyPath: string;
  /** Node options before the script (`--cpu-prof` and its directory for a profile). */
  nodeArgs?: readonly string[];
}

/**
 * The servers a benchmark runs, each a `node` child (`--import tsx` for TypeScript; no tsx CLI in
 * between, so the pid killed is the server itself). `stopAll` ends every one still running; `killAllNow` is the
 * synchronous last resort for the `exit` event.
 */
export interface ServerGroup {
  start(options: StartOptions): Promise<RunningServer>;
  stopAll(): Promise<void>;
  killAllNow(): void;
}

export function createServerGroup(): ServerGroup {
  const running = new Set<ChildProcess>();

  return {
    async start(options) {
      const port = await freePort();
      const loader = options.script.endsWith(".mjs")
        ? ["--enable-source-maps"]
        : ["--import", "tsx"];
      const child = spawn(
        process.execPath,
        [...(options.nodeArgs ?? []), ...loader, options.script],
        {
          cwd: REPO_ROOT,
          env: { ...options.env, PORT: String(port), HOST: "127.0.0.1" },
          // stdout ignored as the brief's user would redirect it; stderr kept to explain a failure.
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      running.add(child);
      child.once("exit", () => running.delete(child));
      let stderr = "";
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      const url = `http://127.0.0.1:${port}`;
      await waitUntilReady(child, `${url}${options.readyPath}`, () => stderr, options.label);
      const pid = child.pid;
      return {
        label: options.label,
        url,
        cpuSeconds: () => (pid === undefined ? undefined : readCpuSeconds(pid)),
      };
    },

    async stopAll() {
      await Promise.all([...running].map(stop));
    },

    killAllNow() {
      for (const child of running) child.kill("SIGKILL");
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function waitUntilReady(
  child: ChildProcess,
  url: string,
  stderr: () => string,
  label: string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${label} exited before listening:\n${stderr()}`);
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
      throw new Error(`${label} answered ${response.status} on ${url}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith(label)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${label} did not answer ${url} within ${READY_TIMEOUT_MS} ms:\n${stderr()}`);
}

/** utime + stime of a Linux process, from the fields after the parenthesised command name. */
function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
