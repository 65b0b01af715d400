import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type Config,
  ConfigError,
  compose,
  loadConfig,
  startMailPoller,
} from "../compose/index.js";
import { AppError } from "../domain/index.js";
import type { SiteConfig } from "../http/site-files.js";
import { batchedLines } from "./batched-lines.js";
import { COGNITO_PATHS, localUserPoolPaths } from "./cognito-endpoint.js";
import { startDevServer } from "./dev-server.js";
import { startDynamoDbLocal } from "./dynamodb-local.js";
import { createGraphiql } from "./graphiql.js";
import { createLocalImageUploads } from "./image-uploads.js";
import { createMailOutboxPage, MAIL_OUTBOX_PATH } from "./mail-outbox-page.js";
import type { LocalHandler } from "./plain-http.js";
import { createStaticSite } from "./static-site.js";

try {
  await start();
} catch (error) {
  const line = startupFailureOf(error);
  if (line === undefined) throw error;
  process.stderr.write(`serverless-store: ${line}\n`);
  process.exit(1);
}

/**
 * The one line a failed start is worth when the user can fix it from the message: a wrong or
 * missing setting (it names the variable), or a store that does not answer. Anything else is a
 * bug, whose trace helps; it is thrown on.
 */
function startupFailureOf(error: unknown): string | undefined {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof AppError && error.code === "STORE_UNAVAILABLE") {
    const endpoint = process.env.DYNAMODB_ENDPOINT;
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return endpoint === undefined
      ? `the store did not answer${cause}`
      : `DynamoDB did not answer at DYNAMODB_ENDPOINT=${endpoint}${cause}: is DynamoDB Local running there?`;
  }
  return undefined;
}

async function start(): Promise<void> {
  // `STORE=dynamodb` without an endpoint: run DynamoDB Local (in memory) for this session.
  const emulator =
    process.env.STORE === "dynamodb" && process.env.DYNAMODB_ENDPOINT === undefined
      ? await startLocalDynamoDb()
      : undefined;
  try {
    await serve(emulator);
  } catch (error) {
    await emulator?.stop();
    throw error;
  }
}

/**
 * The same composition the Lambda functions make, with every route of the table on one server:
 * what any of the four architectures splits across functions, the dev server serves together.
 * Placed orders go to an in-process queue (the DynamoDB stream's stand-in) that runs the
 * processing function's code, and updates reach the WebSocket clients of /notifications.
 */
async function serve(emulator: { stop(): Promise<void> } | undefined): Promise<void> {
  const config = loadConfig();
  // Product images: signed one-time uploads to this server (a presigned S3 PUT in AWS).
  const images = createLocalImageUploads({
    dataDir: config.dataDir,
    cors: { allowedOrigins: new Set(config.allowedOrigins), maxAgeSeconds: 600 },
  });
  let ownUrl: string | undefined;
  const app = await compose(config, {
    orderEvents: "in-process",
    uploads: images.uploads,
    // Links in e-mails open this server's page unless SHOP_URL says otherwise.
    shopUrl: () => ownUrl ?? `http://localhost:${config.port}`,
  });
  const lines = batchedLines((bytes) => process.stdout.write(bytes));
  process.once("exit", lines.flush);
  const writeLine = lines.write;
  // With the local issuer the dev server is the user pool too: the page signs up and in with
  // Cognito's JSON API at /cognito, as against Cognito in AWS. The confirmation codes are always
  // printed, even without LOG_REQUESTS: a code is how a sign-up completes.
  const userPoolPaths = localUserPoolPaths(app, writeLine);

  const graphiql = config.graphiql ? createGraphiql() : undefined;
  const mailProvider = config.mail.provider;
  const outboxPage =
    mailProvider.kind === "file" ? createMailOutboxPage({ dir: mailProvider.dir }) : undefined;
  const firstHandlers = [graphiql, images.handle, outboxPage].filter(
    (handle): handle is LocalHandler => handle !== undefined,
  );
  const server = await startDevServer({
    handler: app.handler,
    host: config.host,
    port: config.port,
    maxBodyBytes: config.maxBodyBytes,
    cors: app.cors,
    site: createStaticSite({
      root: config.webDir,
      config: (origin) => siteConfig(config, origin),
      stripe: config.payment.provider === "stripe",
    }),
    websocket:
      app.localConnections === undefined
        ? undefined
        : { handler: app.websocket, connections: app.localConnections },
    // Plain writes, batched: console.log's formatting, and a write per line, are each a
    // measurable share of a request here.
    log: config.logRequests ? writeLine : undefined,
    requestLog: config.logRequests ? lines : undefined,
    exactPaths: userPoolPaths,
    firstHandlers,
  });
  ownUrl = server.url;
  // The outbox's sending, as the stream function does it in AWS: what a previous run left
  // unsent goes out now, then whatever falls due, about every second.
  const mailPoller = startMailPoller({ mail: app.services.mail, log: app.log, intervalMs: 1000 });

  const storeText =
    config.store.kind === "sqlite"
      ? `SQLite at ${config.store.file}`
      : config.store.kind === "dynamodb"
        ? `DynamoDB table ${config.store.tableName} at ${config.store.endpoint ?? "AWS"}`
        : "memory";
  console.log(`serverless-store is listening on ${server.url} (store: ${storeText})`);
  if (existsSync(join(config.webDir, "index.html"))) {
    console.log(`Shop:  ${server.url}/`);
  } else {
    console.log(`No storefront in ${config.webDir}: build it with  npm run build:web`);
  }
  console.log(`Try:  curl -s ${server.url}/products/lonely-bird`);
  console.log(
    `Order updates:  ${server.url.replace("http", "ws")}/notifications?token=<accessToken>`,
  );
  if (userPoolPaths !== undefined) {
    console.log(
      `Cognito user-pool API (SignUp, ConfirmSignUp, InitiateAuth, GetUser):  ${server.url}${COGNITO_PATHS[0]}  (confirmation codes are printed here)`,
    );
  }
  if (mailProvider.kind === "file") {
    console.log(`E-mails:  ${server.url}${MAIL_OUTBOX_PATH}  (written to ${mailProvider.dir})`);
  }
  console.log(
    `Or sign up, then sign in for a token:  curl -s -X POST ${server.url}/auth/signup -H 'Content-Type: application/json' -d '{"email":"you@example.com","password":"correct horse battery"}'  (then the same to ${server.url}/auth/login)`,
  );

  const stop = async () => {
    await server.close();
    await mailPoller.stop();
    await app.close();
    await emulator?.stop();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/**
 * The page's settings: this server's own API, WebSocket and Cognito-compatible sign-in, or a
 * real user pool's endpoint when tokens come from Cognito.
 */
function siteConfig(config: Config, origin: string): SiteConfig {
  const auth = config.auth;
  // A user pool's id starts with its region: `eu-west-1_AbC123`.
  const poolRegion = auth.mode === "cognito" ? auth.userPoolId.split("_")[0] : undefined;
  return {
    apiUrl: origin,
    websocketUrl: `${origin.replace(/^http/, "ws")}/notifications`,
    region: poolRegion ?? "local",
    userPoolClientId: auth.clientId,
    cognitoEndpoint:
      poolRegion === undefined
        ? `${origin}/cognito`
        : `https://cognito-idp.${poolRegion}.amazonaws.com/`,
  };
}

async function startLocalDynamoDb() {
  console.log("starting DynamoDB Local (in memory: the data is gone when the server stops)...");
  const local = await startDynamoDbLocal();
  // The configuration signs for it with local values when the environment has none.
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  return local;
}
