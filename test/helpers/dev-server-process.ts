import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { buildSite } from "./site.js";

const ROOT = join(import.meta.dirname, "..", "..");
const STARTUP_TIMEOUT_MS = 45_000;

/**
 * Settings of the test runner's own environment that would change what the dev server does;
 * a test that wants one says so in `env`.
 */
const INHERITED_SETTINGS_DROPPED = [
  "STORE",
  "DYNAMODB_ENDPOINT",
  "HOST",
  "CORS_ORIGINS",
  "AUTH_MODE",
  "AUTH_ISSUER",
  "PAYMENT_MODE",
  "PAYMENT_DELAY_MS",
  "WEB_DIR",
  "NODE_OPTIONS",
];

export interface DevServerProcess {
  child: ChildProcess;
  /** The URL of its "listening on" line. */
  url: string;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Stops it the way Ctrl-C does, waits until it is gone and says how it ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The dev server as `npm start` runs it after the page's build (`node --import tsx
 * src/local/main.ts`), in a child process of its own: answers once it printed its
 * "listening on" line. `env` comes over the runner's environment, less the settings above.
 */
export function startDevServerProcess(env: Record<string, string>): Promise<DevServerProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_SETTINGS_DROPPED) delete childEnv[name];
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, ["--import", "tsx", "src/local/main.ts"], {
    cwd: ROOT,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
    return { code: child.exitCode, signal: child.signalCode };
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no "listening on" line within ${STARTUP_TIMEOUT_MS} ms:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ child, url, output: () => output, stop });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the dev server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

export interface ShopWithPage {
  /** The temporary folder holding the built page (`web/`) and the shop's data (`shop/`). */
  work: string;
  webDir: string;
  /** What the page's build printed (its budget line among it). */
  buildOutput: string;
  shop: DevServerProcess;
  /** Stops the shop and removes the folder. */
  remove(): Promise<void>;
}

/**
 * The page built into a temporary folder, and `npm start`'s dev server serving it on SQLite
 * there, on a free port, with `env` added (ADMIN_EMAILS, PAYMENT_DELAY_MS, ...): what the
 * browser tests open.
 */
export async function startShopWithPage(
  prefix: string,
  env: Record<string, string>,
): Promise<ShopWithPage> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const webDir = join(work, "web");
  const buildOutput = await buildSite(webDir);
  await mkdir(join(work, "shop"));
  const shop = await startDevServerProcess({
    PORT: String(await freePort()),
    DATA_DIR: join(work, "shop"),
    WEB_DIR: webDir,
    STORE: "sqlite",
    ...env,
  });
  const remove = async () => {
    await shop.stop();
    await rm(work, { recursive: true, force: true });
  };
  return { work, webDir, buildOutput, shop, remove };
}
