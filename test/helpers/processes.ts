import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const ROOT = join(import.meta.dirname, "..", "..");

/** The store's own settings: a clean shell sets none of them. */
const PROJECT_VARIABLES = [
  "STORE",
  "PORT",
  "HOST",
  "DATA_DIR",
  "WEB_DIR",
  "CORS_ORIGINS",
  "MAX_BODY_BYTES",
  "LOG_REQUESTS",
  "NODE_ENV",
  "NODE_OPTIONS",
  "GRAPHQL_INTROSPECTION",
  "PAYMENT_MODE",
  "PAYMENT_DELAY_MS",
  "WEBSOCKET_ENDPOINT",
  "TOKEN_TTL_SECONDS",
  "COGNITO_USER_POOL_ID",
  "COGNITO_CLIENT_ID",
];

/**
 * The environment of a shell with no AWS settings at all (no `AWS_*` variable: no region, keys,
 * profile or CA bundle) and none of the store's own, plus `extra`: what a new user has.
 */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith("AWS_") || name.startsWith("DYNAMODB_") || name.startsWith("AUTH_")) {
      continue;
    }
    if (PROJECT_VARIABLES.includes(name) || name.startsWith("VITEST") || value === undefined) {
      continue;
    }
    env[name] = value;
  }
  return { ...env, ...extra };
}

export interface Checkout {
  dir: string;
  remove(): void;
}

/**
 * A fresh checkout of the working tree in a temporary folder: the files git tracks or would
 * track, as they are now (so uncommitted work is tested too), and none it ignores (no `dist/`,
 * no `data/`). `node_modules` is a link to this one: the install is CI's `npm ci`, not a test's.
 * Builds and data written there cannot collide with another test file's.
 */
export function freshCheckout(prefix: string): Checkout {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const files = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: ROOT, encoding: "utf8" },
  )
    .split("\0")
    .filter((file) => file !== "" && file !== "node_modules" && existsSync(join(ROOT, file)));
  for (const file of files) {
    // A file's folders are made as needed.
    cpSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Running {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved (the last 20,000 characters). */
  output(): string;
  /** Stops its whole process group (npm, the shell, node) and waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `command` in a shell of its own process group, so that stopping it stops what it
 * started too (npm starts a shell that starts node).
 */
export function startShell(command: string, options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn("sh", ["-c", command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8").on("data", (chunk: string) => {
      output = (output + chunk).slice(-20_000);
    });
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once("exit", () => resolve());
  });
  const running: Running = {
    child,
    output: () => output,
    stop: async () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return; // the group is gone already
      }
      const killer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }, 5_000);
      await exited;
      clearTimeout(killer);
      // npm's children may outlive npm by a moment.
      await sleep(100);
    },
  };
  return running;
}

/** Runs `command` in a shell to its end: its exit code and everything it printed. */
export async function runShell(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number | null; output: string }> {
  const running = startShell(command, options);
  const timeoutMs = options.timeoutMs ?? 180_000;
  const timer = setTimeout(() => void running.stop(), timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    if (running.child.exitCode !== null) resolve(running.child.exitCode);
    running.child.once("exit", (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  // The last output may still be in the pipe.
  await sleep(20);
  return { code, output: running.output() };
}

/**
 * Waits until `ready` answers true, failing early when the process exits and after `timeoutMs`;
 * the process's output is in the error.
 */
export async function waitUntil(
  running: Running,
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) {
      throw new Error(`${what} exited (${running.child.exitCode}):\n${running.output()}`);
    }
    if (await ready().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${running.output()}`);
}
