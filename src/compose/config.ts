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
  /** How the table's hot keys are spread (`TableLayout`, src/store/dynamodb/table.ts). */
  DYNAMODB_LIST_SHARDS: z.optional(integer(1, 64)),
  DYNAMODB_STOCK_SHARDS: z.optional(integer(0, 16)),
  DYNAMODB_PROMOTION_SHARDS: z.optional(integer(0, 16)),
  // Read as the AWS SDK reads them: an empty one counts as unset.
  AWS_REGION: z.optional(z.string()),
  AWS_DEFAULT_REGION: z.optional(z.string()),
  AWS_ACCESS_KEY_ID: z.optional(z.string()),
  AWS_SECRET_ACCESS_KEY: z.optional(z.string()),
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
  PAYMENT_PROVIDER: z._default(z.enum(["demo", "stripe"]), "demo"),
  PAYMENT_MODE: z._default(z.enum(["approve", "decline"]), "approve"),
  STRIPE_PUBLISHABLE_KEY: z.optional(
    z
      .string()
      .check(
        z.regex(/^pk_(test|live)_\w+$/, "must be a publishable key (pk_test_... or pk_live_...)"),
      ),
  ),
  STRIPE_SECRET_KEY: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^(sk|rk)_(test|live)_\w+$/,
          "must be a secret or restricted key (sk_... or rk_...)",
        ),
      ),
  ),
  STRIPE_WEBHOOK_SECRET: z.optional(
    z.string().check(z.regex(/^whsec_\w+$/, "must be a webhook signing secret (whsec_...)")),
  ),
  /** In AWS: the SSM SecureString parameters holding the two secrets (their names, not values). */
  STRIPE_SECRET_KEY_PARAMETER: z.optional(text()),
  STRIPE_WEBHOOK_SECRET_PARAMETER: z.optional(text()),
  /** How long after checkout a Stripe payment may wait for its customer before it is called off. */
  PAYMENT_WINDOW_MINUTES: z._default(integer(5, 1440), 60),
  /** Stripe's API base URL: Stripe's own by default; a local stand-in (or stripe-mock) in tests. */
  STRIPE_API_URL: z.optional(z.url({ protocol: /^https?$/ })),
  PAYMENT_DELAY_MS: z._default(integer(0, 60_000), 1000),
  WEBSOCKET_ENDPOINT: z.optional(z.url({ protocol: /^https$/, error: "must be an https URL" })),
  /** Comma-separated emails whose local tokens carry the `admin` group (AUTH_MODE=local). */
  ADMIN_EMAILS: z.optional(z.string()),
  /** The bucket product images are uploaded to with presigned PUTs (in AWS: the site bucket). */
  UPLOADS_BUCKET: z.optional(
    z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name")),
  ),
  /** How order e-mails leave: `.eml` files in DATA_DIR/mail, or Amazon SES. */
  MAIL_PROVIDER: z._default(z.enum(["file", "ses"]), "file"),
  /** The sender, `Name <address>` or an address; SES needs a verified identity here. */
  MAIL_FROM: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^(?:[^<>\r\n"]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/,
          "must be an address or Name <address>",
        ),
      ),
  ),
  MAIL_CONFIGURATION_SET: z.optional(text()),
  /** The storefront's base address, for the links in e-mails; locally the dev server's own. */
  SHOP_URL: z.optional(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })),
  /** The key of guests' order links: 32 bytes in base64url. */
  ORDER_LINK_KEY: z.optional(
    z.string().check(z.regex(/^[\w-]{43}$/, "must be 32 bytes in base64url (43 characters)")),
  ),
  /** In AWS: the SSM SecureString parameter holding ORDER_LINK_KEY (its name, not its value). */
  ORDER_LINK_KEY_PARAMETER: z.optional(text()),
});

export type Env = z.input<typeof envSchema>;

/**
 * A missing or wrong setting. Its message names the variable, and that is all there is to say:
 * the stack is the message alone, so wherever it is printed (the dev server, a Lambda function's
 * failed start, serverless-offline) it reads as one line, not a trace into this file.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(problem: string) {
    super(`invalid configuration: ${problem}`);
    this.stack = this.message;
  }
}

/**
 * What a local endpoint (DynamoDB Local) is signed with when the environment names no region or
 * credentials: it accepts any. us-east-1 is serverless-offline's default region as well, so the
 * dev server and the emulated functions sign for the same database even without `-sharedDb`.
 */
export const LOCAL_AWS = {
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
} as const;

export interface AwsAccessKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Config {
  store:
    | { kind: "sqlite"; file: string }
    | { kind: "memory" }
    /** Without `endpoint`, the region's DynamoDB; the table must exist (the deployment makes it). */
    | {
        kind: "dynamodb";
        tableName: string;
        endpoint?: string;
        region: string;
        /**
         * Only with `endpoint` and no keys in the environment: DynamoDB Local's harmless ones.
         * Otherwise the environment's (Lambda's), else the SDK's chain (profiles, SSO).
         */
        credentials?: AwsAccessKeys;
        /** Create and seed the table when the store opens (DynamoDB Local). */
        createTable: boolean;
        /** The shard counts asked for (the store's defaults where absent). */
        layout: { listShards?: number; stockShards?: number; promotionShards?: number };
      };
  dataDir: string;
  /** The built storefront, served by the dev server at the addresses the API does not use. */
  webDir: string;
  host: string;
  port: number;
  allowedOrigins: string[];
  maxBodyBytes: number;
  auth:
    | {
        mode: "local";
        issuer: string;
        clientId: string;
        ttlSeconds: number;
        keyFile?: string;
        /** Lower-case emails whose tokens carry `cognito:groups: ["admin"]`. */
        adminEmails?: string[];
      }
    | { mode: "cognito"; userPoolId: string; clientId: string };
  /** Where operators' image uploads go in AWS (presigned S3 PUTs); absent: not on S3. */
  uploads?: { bucket: string; region: string };
  logRequests: boolean;
  /** Schema introspection over GraphQL; off by default when NODE_ENV=production. */
  graphqlIntrospection: boolean;
  /** GraphiQL on the dev server for a browser at GET /graphql; never under NODE_ENV=production. */
  graphiql: boolean;
  /**
   * Who takes payments. `demo` (the default): a stand-in that approves or declines every
   * payment after `delayMs`. `stripe`: Stripe's PaymentIntents, taken on the page with Stripe.js
   * and settled by Stripe's signed webhook; the secrets come from the environment locally and
   * from SSM Parameter Store in AWS (read at the first payment, never logged).
   */
  payment: PaymentConfig;
  /**
   * The WebSocket API's management endpoint the processing function posts order updates to
   * (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`) and its region; absent locally.
   */
  websocket?: { endpoint: string; region: string };
  /** Order e-mails: how they are sent, from whom, and what their links open. */
  mail: MailConfig;
}

export interface MailConfig {
  /** `file`: `.eml` files in `dir` (DATA_DIR/mail). `ses`: Amazon SES v2 in `region`. */
  provider:
    | { kind: "file"; dir: string }
    | { kind: "ses"; region: string; configurationSet?: string };
  /** The sender, as MAIL_FROM gives it. */
  from: string;
  /** The sender address's domain: each message's Message-ID is `<outbox id>@<domain>`. */
  domain: string;
  /** The storefront's base address; absent: the dev server's own, once it listens. */
  shopUrl?: string;
  /** Where the key of guests' order links comes from. */
  linkKey: OrderLinkKeySource;
}

/**
 * `env`: ORDER_LINK_KEY. `ssm`: the SecureString ORDER_LINK_KEY_PARAMETER names. `file`: made
 * once into the data directory and read from there after (a local store that outlives the
 * process). `process`: a new key per process (the memory store, which forgets its orders too).
 */
export type OrderLinkKeySource =
  | { from: "env"; key: string }
  | { from: "ssm"; parameter: string }
  | { from: "file"; file: string }
  | { from: "process" };

export type PaymentConfig =
  | { provider: "demo"; mode: "approve" | "decline"; delayMs: number }
  | {
      provider: "stripe";
      publishableKey: string;
      secrets: StripeSecretsSource;
      /** Minutes after checkout an unpaid order's payment is called off and the order failed. */
      windowMinutes: number;
      apiUrl?: string;
    };

/** Where the Stripe adapter's two secrets are read from. */
export type StripeSecretsSource =
  | { from: "env"; secretKey: string; webhookSecret: string }
  | { from: "ssm"; secretKeyParameter: string; webhookSecretParameter: string };

type ParsedEnv = z.output<typeof envSchema>;

const given = (value: string | undefined): string | undefined => (value === "" ? undefined : value);
const regionOf = (e: ParsedEnv): string | undefined =>
  given(e.AWS_REGION) ?? given(e.AWS_DEFAULT_REGION);

/** The environment's key pair; half of one is a mistake worth naming. */
function accessKeysOf(e: ParsedEnv): AwsAccessKeys | undefined {
  const accessKeyId = given(e.AWS_ACCESS_KEY_ID);
  const secretAccessKey = given(e.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const [set, missing] =
      accessKeyId === undefined
        ? ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"]
        : ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
    throw new ConfigError(`${missing}: missing, and ${set} is set without it`);
  }
  return { accessKeyId, secretAccessKey };
}

function layoutOf(e: ParsedEnv) {
  return {
    ...(e.DYNAMODB_LIST_SHARDS === undefined ? {} : { listShards: e.DYNAMODB_LIST_SHARDS }),
    ...(e.DYNAMODB_STOCK_SHARDS === undefined ? {} : { stockShards: e.DYNAMODB_STOCK_SHARDS }),
    ...(e.DYNAMODB_PROMOTION_SHARDS === undefined
      ? {}
      : { promotionShards: e.DYNAMODB_PROMOTION_SHARDS }),
  };
}

function storeConfig(e: ParsedEnv): Config["store"] {
  switch (e.STORE) {
    case "sqlite":
      return { kind: "sqlite", file: `${e.DATA_DIR}/store.sqlite` };
    case "memory":
      return { kind: "memory" };
    case "dynamodb": {
      const endpoint = e.DYNAMODB_ENDPOINT;
      const keys = accessKeysOf(e);
      if (endpoint === undefined) {
        const region = regionOf(e);
        if (region === undefined) {
          throw new ConfigError(
            "AWS_REGION: STORE=dynamodb needs the table's region (AWS_REGION or AWS_DEFAULT_REGION), or DYNAMODB_ENDPOINT for DynamoDB Local",
          );
        }
        return {
          kind: "dynamodb",
          tableName: e.DYNAMODB_TABLE,
          region,
          createTable: e.DYNAMODB_CREATE_TABLE ?? false,
          layout: layoutOf(e),
        };
      }
      // DynamoDB Local accepts any region and keys: a laptop or CI without AWS settings works.
      return {
        kind: "dynamodb",
        tableName: e.DYNAMODB_TABLE,
        endpoint,
        region: regionOf(e) ?? LOCAL_AWS.region,
        ...(keys === undefined ? { credentials: { ...LOCAL_AWS.credentials } } : {}),
        createTable: e.DYNAMODB_CREATE_TABLE ?? true,
        layout: layoutOf(e),
      };
    }
  }
}

/** PAYMENT_PROVIDER and what the chosen provider needs, each missing setting named. */
function paymentConfig(e: ParsedEnv): PaymentConfig {
  if (e.PAYMENT_PROVIDER === "demo") {
    return { provider: "demo", mode: e.PAYMENT_MODE, delayMs: e.PAYMENT_DELAY_MS };
  }
  const publishableKey = e.STRIPE_PUBLISHABLE_KEY;
  if (publishableKey === undefined) {
    throw new ConfigError("STRIPE_PUBLISHABLE_KEY: PAYMENT_PROVIDER=stripe needs it (pk_...)");
  }
  const stripeOptions = {
    windowMinutes: e.PAYMENT_WINDOW_MINUTES,
    ...(e.STRIPE_API_URL === undefined ? {} : { apiUrl: e.STRIPE_API_URL }),
  };
  const secretKeyParameter = e.STRIPE_SECRET_KEY_PARAMETER;
  const webhookSecretParameter = e.STRIPE_WEBHOOK_SECRET_PARAMETER;
  if (secretKeyParameter !== undefined || webhookSecretParameter !== undefined) {
    if (secretKeyParameter === undefined || webhookSecretParameter === undefined) {
      throw new ConfigError(
        "STRIPE_SECRET_KEY_PARAMETER, STRIPE_WEBHOOK_SECRET_PARAMETER: give both SSM parameter names",
      );
    }
    return {
      provider: "stripe",
      publishableKey,
      secrets: { from: "ssm", secretKeyParameter, webhookSecretParameter },
      ...stripeOptions,
    };
  }
  const missing = (["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] as const).filter(
    (name) => e[name] === undefined,
  );
  if (e.STRIPE_SECRET_KEY === undefined || e.STRIPE_WEBHOOK_SECRET === undefined) {
    throw new ConfigError(
      `${missing.join(", ")}: PAYMENT_PROVIDER=stripe needs the secret key and the webhook signing secret (or, in AWS, STRIPE_SECRET_KEY_PARAMETER and STRIPE_WEBHOOK_SECRET_PARAMETER)`,
    );
  }
  return {
    provider: "stripe",
    publishableKey,
    secrets: {
      from: "env",
      secretKey: e.STRIPE_SECRET_KEY,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET,
    },
    ...stripeOptions,
  };
}

/** The WebSocket API's region: the environment's (Lambda sets it), else the endpoint's host's. */
function websocketConfig(e: ParsedEnv): Config["websocket"] {
  const endpoint = e.WEBSOCKET_ENDPOINT;
  if (endpoint === undefined) return undefined;
  const region =
    regionOf(e) ??
    /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(endpoint).hostname)?.[1];
  if (region === undefined) {
    throw new ConfigError(
      "AWS_REGION: WEBSOCKET_ENDPOINT needs the WebSocket API's region (AWS_REGION or AWS_DEFAULT_REGION)",
    );
  }
  return { endpoint, region };
}

const DEFAULT_MAIL_FROM = "Serverless Store <shop@localhost>";

/** MAIL_* and what links in e-mails need, each missing setting named. */
function mailConfig(e: ParsedEnv): MailConfig {
  const from = e.MAIL_FROM;
  let provider: MailConfig["provider"];
  if (e.MAIL_PROVIDER === "ses") {
    const region = regionOf(e);
    if (from === undefined) {
      throw new ConfigError("MAIL_FROM: MAIL_PROVIDER=ses needs the verified sender address");
    }
    if (region === undefined) {
      throw new ConfigError("AWS_REGION: MAIL_PROVIDER=ses needs the SES region (AWS_REGION)");
    }
    if (e.SHOP_URL === undefined) {
      throw new ConfigError("SHOP_URL: MAIL_PROVIDER=ses needs the storefront's address for links");
    }
    provider = {
      kind: "ses",
      region,
      ...(e.MAIL_CONFIGURATION_SET === undefined
        ? {}
        : { configurationSet: e.MAIL_CONFIGURATION_SET }),
    };
  } else {
    provider = { kind: "file", dir: `${e.DATA_DIR}/mail` };
  }
  const sender = from ?? DEFAULT_MAIL_FROM;
  const domain = /@([^<>@\s]+)>?$/.exec(sender.trim())?.[1] ?? "localhost";
  return {
    provider,
    from: sender,
    domain,
    ...(e.SHOP_URL === undefined ? {} : { shopUrl: e.SHOP_URL.replace(/\/+$/, "") }),
    linkKey: linkKeyOf(e),
  };
}

function linkKeyOf(e: ParsedEnv): OrderLinkKeySource {
  if (e.ORDER_LINK_KEY !== undefined && e.ORDER_LINK_KEY_PARAMETER !== undefined) {
    throw new ConfigError("ORDER_LINK_KEY, ORDER_LINK_KEY_PARAMETER: give one, not both");
  }
  if (e.ORDER_LINK_KEY !== undefined) return { from: "env", key: e.ORDER_LINK_KEY };
  if (e.ORDER_LINK_KEY_PARAMETER !== undefined) {
    return { from: "ssm", parameter: e.ORDER_LINK_KEY_PARAMETER };
  }
  if (e.MAIL_PROVIDER === "ses") {
    // Every function checks link tokens: a key of each process's own would open nothing.
    throw new ConfigError(
      "ORDER_LINK_KEY_PARAMETER: MAIL_PROVIDER=ses needs the order links' key (or ORDER_LINK_KEY)",
    );
  }
  const local =
    e.STORE === "sqlite" || (e.STORE === "dynamodb" && e.DYNAMODB_ENDPOINT !== undefined);
  return local ? { from: "file", file: `${e.DATA_DIR}/order-link.key` } : { from: "process" };
}

/**
 * Reads and validates the environment once. A wrong variable fails at start with a message
 * naming it, instead of surfacing later as an odd request failure.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = z.safeParse(envSchema, env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(problems.join("; "));
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
      throw new ConfigError(`CORS_ORIGINS: ${origin} is not scheme://host[:port]`);
    }
  }

  let auth: Config["auth"];
  if (e.AUTH_MODE === "cognito") {
    if (e.COGNITO_USER_POOL_ID === undefined || e.COGNITO_CLIENT_ID === undefined) {
      throw new ConfigError("AUTH_MODE=cognito needs COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID");
    }
    auth = { mode: "cognito", userPoolId: e.COGNITO_USER_POOL_ID, clientId: e.COGNITO_CLIENT_ID };
  } else {
    auth = {
      mode: "local",
      issuer: e.AUTH_ISSUER ?? `http://localhost:${e.PORT}`,
      clientId: e.AUTH_CLIENT_ID,
      ttlSeconds: e.TOKEN_TTL_SECONDS,
      adminEmails: adminEmailsOf(e.ADMIN_EMAILS),
      ...(e.AUTH_KEY_FILE !== undefined
        ? { keyFile: e.AUTH_KEY_FILE }
        : e.STORE === "sqlite"
          ? { keyFile: `${e.DATA_DIR}/local-issuer-key.json` }
          : {}),
    };
  }

  const websocket = websocketConfig(e);
  const graphqlIntrospection = e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== "production";
  const uploadsRegion = regionOf(e);
  if (e.UPLOADS_BUCKET !== undefined && uploadsRegion === undefined) {
    throw new ConfigError("AWS_REGION: UPLOADS_BUCKET needs the bucket's region (AWS_REGION)");
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
    graphqlIntrospection,
    // The IDE needs the schema: without introspection it would only show errors.
    graphiql: e.NODE_ENV !== "production" && graphqlIntrospection,
    payment: paymentConfig(e),
    mail: mailConfig(e),
    ...(websocket === undefined ? {} : { websocket }),
    ...(e.UPLOADS_BUCKET === undefined || uploadsRegion === undefined
      ? {}
      : { uploads: { bucket: e.UPLOADS_BUCKET, region: uploadsRegion } }),
  };
}

/** `ADMIN_EMAILS`, normalized; each must look like an email. */
function adminEmailsOf(value: string | undefined): string[] {
  const emails = (value ?? "")
    .split(",")
    .map((email) => email.trim().toLowerCase())
    .filter((email) => email !== "");
  for (const email of emails) {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
      throw new ConfigError(`ADMIN_EMAILS: ${email} is not an email address`);
    }
  }
  return emails;
}
