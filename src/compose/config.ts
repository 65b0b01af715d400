import * as z from "zod/mini";
import "../services/zod-messages.js";

// zod/mini: config is validated on every cold start, and classic zod costs as much to load as
// the rest of a function (BENCHMARKS.md).

const DEFAULT_PORT = 3000;
const flag = z.pipe(
  z.enum(["true", "false", "1", "0"]),
  z.transform((v) => v === "true" || v === "1"),
);
const text = () => z.string().check(z.minLength(1));
const integer = (min: number, max: number) =>
  z.pipe(z.coerce.number(), z.int().check(z.gte(min), z.lte(max)));

const envSchema = z.object({
  STORE: z._default(z.enum(["sqlite", "memory", "dynamodb"]), "sqlite"),
  DYNAMODB_TABLE: z._default(
    z.string().check(z.regex(/^[\w.-]{3,255}$/, "must be a DynamoDB table name")),
    "serverless-store",
  ),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** Create and seed the table at start; by default only with an endpoint (DynamoDB Local). */
  DYNAMODB_CREATE_TABLE: z.optional(flag),
  AWS_REGION: z.optional(text()),
  DATA_DIR: z._default(text(), "data"),
  /** The built storefront the dev server serves (`npm run build:web` writes it). */
  WEB_DIR: z._default(text(), "dist/web"),
  HOST: z._default(text(), "127.0.0.1"),
  PORT: z._default(integer(0, 65_535), DEFAULT_PORT),
  CORS_ORIGINS: z.optional(z.string()),
  MAX_BODY_BYTES: z._default(integer(1, 6_291_456), 262_144),
  AUTH_MODE: z._default(z.enum(["local", "cognito"]), "local"),
  AUTH_ISSUER: z.optional(z.url()),
  AUTH_CLIENT_ID: z._default(text(), "serverless-store-local"),
  /** The local issuer's signing key (a JWK file, made when missing). */
  AUTH_KEY_FILE: z.optional(text()),
  TOKEN_TTL_SECONDS: z._default(integer(60, 86_400), 3600),
  COGNITO_USER_POOL_ID: z.optional(text()),
  COGNITO_CLIENT_ID: z.optional(text()),
  LOG_REQUESTS: z._default(flag, true),
  NODE_ENV: z.optional(z.string()),
  GRAPHQL_INTROSPECTION: z.optional(flag),
  PAYMENT_MODE: z._default(z.enum(["approve", "decline"]), "approve"),
  PAYMENT_DELAY_MS: z._default(integer(0, 60_000), 1000),
  WEBSOCKET_ENDPOINT: z.optional(z.url({ protocol: /^https$/, error: "must be an https URL" })),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  store:
    | { kind: "sqlite"; file: string }
    | { kind: "memory" }
    /** Without `endpoint`, the region's DynamoDB; the table must exist (the deployment makes it). */
    | {
        kind: "dynamodb";
        tableName: string;
        endpoint?: string;
        region?: string;
        /** Create and seed the table when the store opens (DynamoDB Local). */
        createTable: boolean;
      };
  dataDir: string;
  /** The built storefront, served by the dev server at the addresses the API does not use. */
  webDir: string;
  host: string;
  port: number;
  allowedOrigins: string[];
  maxBodyBytes: number;
  auth:
    | { mode: "local"; issuer: string; clientId: string; ttlSeconds: number; keyFile?: string }
    | { mode: "cognito"; userPoolId: string; clientId: string };
  logRequests: boolean;
  /** Schema introspection over GraphQL; off by default when NODE_ENV=production. */
  graphqlIntrospection: boolean;
  /** The demo payment provider: approve or decline every payment, after `delayMs`. */
  payment: { mode: "approve" | "decline"; delayMs: number };
  /**
   * The WebSocket API's management endpoint the processing function posts order updates to
   * (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`); absent locally.
   */
  websocketEndpoint?: string;
}

function storeConfig(e: z.output<typeof envSchema>): Config["store"] {
  switch (e.STORE) {
    case "sqlite":
      return { kind: "sqlite", file: `${e.DATA_DIR}/store.sqlite` };
    case "memory":
      return { kind: "memory" };
    case "dynamodb":
      return {
        kind: "dynamodb",
        tableName: e.DYNAMODB_TABLE,
        ...(e.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: e.DYNAMODB_ENDPOINT }),
        ...(e.AWS_REGION === undefined ? {} : { region: e.AWS_REGION }),
        createTable: e.DYNAMODB_CREATE_TABLE ?? e.DYNAMODB_ENDPOINT !== undefined,
      };
  }
}

/**
 * Reads and validates the environment once. A wrong variable fails at start with a message
 * naming it, instead of surfacing later as an odd request failure.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = z.safeParse(envSchema, env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  const ownOrigins = [`http://localhost:${e.PORT}`, `http://127.0.0.1:${e.PORT}`];
  const allowedOrigins =
    e.CORS_ORIGINS === undefined
      ? [
          ...new Set([
            ...ownOrigins,
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            // Vite's own dev server, for work on the page with hot reload.
            "http://localhost:5173",
            "http://127.0.0.1:5173",
          ]),
        ]
      : e.CORS_ORIGINS.split(",")
          .map((origin) => origin.trim())
          .filter((origin) => origin !== "");
  for (const origin of allowedOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(`invalid configuration: CORS_ORIGINS: ${origin} is not scheme://host[:port]`);
    }
  }

  let auth: Config["auth"];
  if (e.AUTH_MODE === "cognito") {
    if (e.COGNITO_USER_POOL_ID === undefined || e.COGNITO_CLIENT_ID === undefined) {
      throw new Error(
        "invalid configuration: AUTH_MODE=cognito needs COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID",
      );
    }
    auth = { mode: "cognito", userPoolId: e.COGNITO_USER_POOL_ID, clientId: e.COGNITO_CLIENT_ID };
  } else {
    auth = {
      mode: "local",
      issuer: e.AUTH_ISSUER ?? `http://localhost:${e.PORT}`,
      clientId: e.AUTH_CLIENT_ID,
      ttlSeconds: e.TOKEN_TTL_SECONDS,
      ...(e.AUTH_KEY_FILE !== undefined
        ? { keyFile: e.AUTH_KEY_FILE }
        : e.STORE === "sqlite"
          ? { keyFile: `${e.DATA_DIR}/local-issuer-key.json` }
          : {}),
    };
  }

  return {
    store: storeConfig(e),
    dataDir: e.DATA_DIR,
    webDir: e.WEB_DIR,
    host: e.HOST,
    port: e.PORT,
    allowedOrigins,
    maxBodyBytes: e.MAX_BODY_BYTES,
    auth,
    logRequests: e.LOG_REQUESTS,
    graphqlIntrospection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== "production",
    payment: { mode: e.PAYMENT_MODE, delayMs: e.PAYMENT_DELAY_MS },
    ...(e.WEBSOCKET_ENDPOINT === undefined ? {} : { websocketEndpoint: e.WEBSOCKET_ENDPOINT }),
  };
}
