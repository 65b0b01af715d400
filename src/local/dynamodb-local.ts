import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { LOCAL_AWS } from "../compose/config.js";
import { DynamoDbClient } from "../store/dynamodb/client.js";

/** Region and credentials DynamoDB Local accepts: any will do, they only have to be present.
 * The configuration's defaults for a local endpoint, so either side can sign without the other. */
export const DYNAMODB_LOCAL_REGION = LOCAL_AWS.region;
export const DYNAMODB_LOCAL_CREDENTIALS = { ...LOCAL_AWS.credentials };

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** How long to wait for the first ListTables answer before giving up. */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Kills the emulator and resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const MAX_OUTPUT_CHARS = 8_000;

/** The emulator folder of `amplify-dynamodb-simulator`: AWS's DynamoDBLocal.jar and its libs. */
function emulatorDirectory(): string {
  const packageJson = createRequire(import.meta.url).resolve(
    "amplify-dynamodb-simulator/package.json",
  );
  return join(dirname(packageJson), "emulator");
}

/**
 * Binds `port` (0: any) for a moment and returns it. Checking a chosen port first matters: an
 * emulator already on it would answer the readiness check for a process that failed to bind.
 */
async function reservePort(port: number): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`DynamoDB Local cannot use port ${port}: it is already in use`)
          : error,
      );
    });
    server.listen(port, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port found");
  return address.port;
}

/**
 * Starts AWS's DynamoDB Local emulator (in memory) with the machine's `java` and resolves once it
 * answers a ListTables. The jar has no option to choose its interface, so it listens on every
 * interface of the port; clients use the loopback endpoint. Throws when `java` is missing: a
 * suite that needs the emulator must fail, not skip.
 */
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  const directory = emulatorDirectory();
  const port = await reservePort(options.port ?? 0);
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    "java",
    [
      `-Djava.library.path=${join(directory, "DynamoDBLocal_lib")}`,
      "-jar",
      join(directory, "DynamoDBLocal.jar"),
      "-inMemory",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    { cwd: directory, stdio: ["ignore", "pipe", "pipe"] },
  );

  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  let failure: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      failure =
        error.code === "ENOENT"
          ? new Error(
              "DynamoDB Local needs Java, and `java` was not found on PATH. " +
                "Install a JRE 17 or newer (e.g. `apt-get install openjdk-17-jre-headless`).",
              { cause: error },
            )
          : error;
      resolve();
    });
    child.once("exit", () => resolve());
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async (): Promise<void> => {
    process.off("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady(
      endpoint,
      child,
      exited,
      options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    );
  } catch (error) {
    await stop();
    if (failure !== undefined) throw failure;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`DynamoDB Local did not start on ${endpoint}: ${reason}\n${output}`, {
      cause: error,
    });
  }
  return {
    endpoint,
    region: DYNAMODB_LOCAL_REGION,
    credentials: { ...DYNAMODB_LOCAL_CREDENTIALS },
    stop,
  };
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const client = new DynamoDbClient({
    endpoint,
    region: DYNAMODB_LOCAL_REGION,
    credentials: DYNAMODB_LOCAL_CREDENTIALS,
    maxAttempts: 1,
    connectionTimeoutMs: 500,
    requestTimeoutMs: 2_000,
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (hasExited) throw new Error(`the process exited (code ${child.exitCode})`);
      try {
        await client.send("ListTables", { Limit: 1 });
        return;
      } catch (error) {
        if (Date.now() >= deadline) {
          throw new Error(`no answer to ListTables within ${timeoutMs} ms`, { cause: error });
        }
      }
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}
