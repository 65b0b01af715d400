import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { DynamoDbLocal } from "../../src/local/dynamodb-local.js";
import { createTestApp, type TestApp, type TestAppOptions } from "../helpers/app.js";

export const ADMIN_EMAIL = "operator@reliability.example";

export interface SqliteApp {
  t: TestApp;
  /** A signed-up shopper's and an operator's (ADMIN_EMAILS) access tokens. */
  shopper: { token: string; userId: string };
  operator: { token: string; userId: string };
  close(): Promise<void>;
}

/** The composed app (every route, the monolith's router) on a fresh SQLite file. */
export async function startSqliteApp(options: TestAppOptions = {}): Promise<SqliteApp> {
  const dataDir = await mkdtemp(join(tmpdir(), "reliability-"));
  const t = await createTestApp({
    ...options,
    env: { STORE: "sqlite", DATA_DIR: dataDir, ADMIN_EMAILS: ADMIN_EMAIL, ...options.env },
  });
  const shopper = await t.signup();
  const operator = await t.signup(ADMIN_EMAIL);
  return {
    t,
    shopper,
    operator,
    close: async () => {
      await t.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The same app on DynamoDB Local (a fresh table, created and seeded at start). */
export async function startDynamoDbApp(local: DynamoDbLocal, table: string): Promise<SqliteApp> {
  return startSqliteApp({
    env: {
      STORE: "dynamodb",
      DYNAMODB_ENDPOINT: local.endpoint,
      DYNAMODB_TABLE: table,
      DYNAMODB_CREATE_TABLE: "true",
    },
  });
}

export interface Measured {
  result: APIGatewayProxyResult;
  /** CPU time (user + system, every thread of this process) spent while the handler ran. */
  cpuMs: number;
}

/**
 * Calls the handler once and measures the server's CPU around it with process.cpuUsage: the
 * process's user and system time, so work on libuv's threads (scrypt) and the garbage collector
 * counts too. Calls are made one at a time, so the time is this request's alone.
 */
export async function measured(
  handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  event: APIGatewayProxyEvent,
): Promise<Measured> {
  const before = process.cpuUsage();
  const result = await handler(event);
  const spent = process.cpuUsage(before);
  return { result, cpuMs: (spent.user + spent.system) / 1000 };
}

/**
 * What must never reach a client: a stack frame, a source or module path, an `Error:` prefix,
 * SQL, driver or AWS SDK text. Matches that the request itself carried (an echoed field value)
 * are not leaks and are left out.
 */
const LEAKS: readonly RegExp[] = [
  /\n\s+at \S/,
  /\bat [\w.<>]+ \(/,
  /node_modules/,
  /\.(?:ts|js|mjs|cjs):\d+/,
  /(?:^|[^\w])\/(?:home|work|tmp|usr|var|src|opt|root)\//,
  // graphql-js' own "Syntax Error: Unexpected ..." is a message for the client, not a leak.
  /(?<!Syntax )\b(?:Type|Range|Syntax|Reference|Internal)?Error: /,
  /\bSQLITE_\w+/,
  /\bsqlite\b/i,
  /\b(?:SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/,
  /better-sqlite3|ConditionalCheckFailed|ValidationException|ResourceNotFoundException/,
  /\b__type\b|com\.amazonaws/,
];

/** The leaks found in `answer`, minus any text `sent` already held. */
export function leaksIn(answer: string, sent: string): string[] {
  const found: string[] = [];
  for (const pattern of LEAKS) {
    const match = pattern.exec(answer);
    if (match !== null && !sent.includes(match[0].trim())) found.push(match[0]);
  }
  return found;
}

/** Everything a request carried, as one string, for `leaksIn`. */
export function sentText(event: APIGatewayProxyEvent): string {
  return JSON.stringify([
    event.path,
    event.pathParameters,
    event.queryStringParameters,
    event.headers,
    event.body === null ? "" : decodeBody(event),
  ]);
}

function decodeBody(event: APIGatewayProxyEvent): string {
  const raw = event.body ?? "";
  return event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") + raw : raw;
}

/** A header of a handler's result by lower-case name. */
export function headerOf(result: APIGatewayProxyResult, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (name.toLowerCase() === lowerName) return String(value);
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === lowerName) return values.map(String).join(", ");
  }
  return undefined;
}

export const newIdempotencyKey = (): string => `rel-${randomUUID()}`;

/** Largest and 99th-percentile of a list of samples. */
export function summary(samples: readonly number[]): { max: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
  return { max: sorted.at(-1) ?? 0, p99, n: sorted.length };
}
