import { z } from "zod";

const DEFAULT_PORT = 3000;
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const envSchema = z.object({
  STORE: z.enum(["sqlite", "memory", "dynamodb"]).default("sqlite"),
  DYNAMODB_TABLE: z
    .string()
    .regex(/^[\w.-]{3,255}$/, "must be a DynamoDB table name")
    .default("serverless-store"),
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default("data"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_PORT),
  CORS_ORIGINS: z.string().optional(),
  MAX_BODY_BYTES: z.coerce.number().int().min(1).max(6_291_456).default(262_144),
  AUTH_MODE: z.enum(["local", "cognito"]).default("local"),
  AUTH_ISSUER: z.url().optional(),
  AUTH_CLIENT_ID: z.string().min(1).default("serverless-store-local"),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  COGNITO_USER_POOL_ID: z.string().min(1).optional(),
  COGNITO_CLIENT_ID: z.string().min(1).optional(),
  LOG_REQUESTS: flag.default(true),
  NODE_ENV: z.string().optional(),
  GRAPHQL_INTROSPECTION: flag.optional(),
  PAYMENT_MODE: z.enum(["approve", "decline"]).default("approve"),
  PAYMENT_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  WEBSOCKET_ENDPOINT: z.url({ protocol: /^https$/, error: "must be an https URL" }).optional(),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  store:
    | { kind: "sqlite"; file: string }
    | { kind: "memory" }
    /** Without `endpoint`, the region's DynamoDB; the table must exist (the deployment makes it). */
    | { kind: "dynamodb"; tableName: string; endpoint?: string; region?: string };
  dataDir: string;
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
      };
  }
}

/**
 * Reads and validates the environment once. A wrong variable fails at start with a message
 * naming it, instead of surfacing later as an odd request failure.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  const ownOrigins = [`http://localhost:${e.PORT}`, `http://127.0.0.1:${e.PORT}`];
  const allowedOrigins =
    e.CORS_ORIGINS === undefined
      ? [...new Set([...ownOrigins, "http://localhost:3000", "http://localhost:5173"])]
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
      ...(e.STORE === "sqlite" ? { keyFile: `${e.DATA_DIR}/local-issuer-key.json` } : {}),
    };
  }

  return {
    store: storeConfig(e),
    dataDir: e.DATA_DIR,
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
