import { randomUUID } from "node:crypto";
import { AppError } from "../domain/index.js";
import type { GraphqlExecutor } from "../graphql/index.js";
import {
  type ApiHandler,
  type CorsConfig,
  createRouter,
  createWebSocketRouter,
  ROUTES,
  type Route,
  type WebSocketHandler,
} from "../http/index.js";
import { scryptPasswords } from "../identity/scrypt-passwords.js";
import { createLocalNotifier, createSkippingNotifier, LocalConnections } from "../notify/index.js";
import {
  type Clock,
  type ConnectionDirectory,
  createServices,
  type IdGenerator,
  type ImageUploads,
  type Logger,
  type Mailer,
  type Notifier,
  type OrderQueue,
  type PaymentProvider,
  type Services,
  type Store,
  type TokenIssuer,
  type TokenVerifier,
} from "../services/index.js";
import type { Config } from "./config.js";
import { deferred } from "./deferred.js";
import { createInProcessQueue } from "./in-process-queue.js";
import { createMailPorts } from "./mail.js";
import { onFirstUse } from "./on-first-use.js";
import { createPaymentProvider } from "./payment-provider.js";
import { resumeOrdersInFlight } from "./resume-in-flight.js";

export interface App {
  /** The REST (and GraphQL) API: API Gateway REST proxy events. */
  handler: ApiHandler;
  /** The WebSocket API: `$connect`, `$disconnect` and `$default` events. */
  websocket: WebSocketHandler;
  services: Services;
  /** The access-token check of the API, for the edges that take a token outside a route. */
  verifier: TokenVerifier;
  /** The API's CORS policy, for the edges that answer browsers outside a route. */
  cors: CorsConfig;
  store: Store;
  config: Config;
  log: Logger;
  /**
   * The dev server's WebSockets, through which the local notifier delivers; present when
   * `orderEvents` is `in-process` and no other notifier was chosen.
   */
  localConnections?: LocalConnections;
  /** Lets orders being processed in this process finish, then closes the store. */
  close(): Promise<void>;
}

export interface ComposeOverrides {
  store?: Store;
  clock?: Clock;
  ids?: IdGenerator;
  routes?: readonly Route[];
  /**
   * How a placed order reaches processing. `stream` (the default, and AWS): the table's
   * DynamoDB stream delivers the inserted order to the order-stream function, so checkout
   * enqueues nothing. `in-process` (the dev server): checkout feeds a queue in this process that
   * runs the same processing.
   */
  orderEvents?: "stream" | "in-process";
  notifier?: Notifier;
  payment?: PaymentProvider;
  /** Where product images are uploaded; the dev server passes its own endpoint. */
  uploads?: ImageUploads;
  /** Sends the order e-mails instead of the configured mail service (tests). */
  mailer?: Mailer;
  /**
   * The storefront's address for the links in e-mails when SHOP_URL is unset: the dev server
   * gives its own, known once it listens. Otherwise `http://localhost:<PORT>`.
   */
  shopUrl?: () => string;
  /**
   * `eager` (the default, the dev server): the store and the local token issuer are open before
   * compose returns, so a wrong setting fails at start. `deferred` (the Lambda functions): they
   * start opening here and the first call that needs one waits for it, so an answer that needs
   * neither (a preflight) does not; a failure to open is that call's error.
   */
  opening?: "eager" | "deferred";
}

/** A queue with nobody behind it: in AWS the stream is the queue. */
const streamDelivers: OrderQueue = { enqueue: async () => {} };

const systemClock: Clock = { now: () => new Date() };
const uuids: IdGenerator = { newId: () => randomUUID() };

/**
 * Builds the whole application from a validated config, once per process: the one place where
 * adapters meet services. Lambda entry points and the dev server both call it.
 */
export async function compose(config: Config, overrides: ComposeOverrides = {}): Promise<App> {
  const deferOpening = overrides.opening === "deferred";
  const store =
    overrides.store ?? (deferOpening ? deferred(openStore(config)) : await openStore(config));
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuids;
  const routes = overrides.routes ?? ROUTES;
  const { tokens, verifier } = await createIdentity(config, store, deferOpening);
  const log: Logger = (entry) => console.error(JSON.stringify(entry));
  const inProcess = overrides.orderEvents === "in-process";
  const queue = inProcess
    ? createInProcessQueue((order) => services.processing.processOrder(order), log)
    : undefined;
  const localConnections =
    overrides.notifier === undefined && config.websocket === undefined && inProcess
      ? new LocalConnections()
      : undefined;
  const notifier =
    overrides.notifier ??
    createNotifier(config, { directory: store, clock, log }, localConnections);
  const payment =
    overrides.payment ?? createPaymentProvider(config.payment, { ledger: store, clock, log });
  const mail = createMailPorts(config, { store, log });
  const ownUrl = overrides.shopUrl ?? (() => `http://localhost:${config.port}`);
  const services = createServices({
    store,
    clock,
    ids,
    passwords: scryptPasswords,
    tokens,
    queue: queue ?? streamDelivers,
    payment,
    notifier,
    log,
    uploads: overrides.uploads ?? createUploads(config),
    identity: verifier,
    links: mail.links,
    mail: {
      mailer: overrides.mailer ?? mail.mailer,
      recipients: mail.recipients,
      shopUrl: config.mail.shopUrl ?? ownUrl,
      from: config.mail.from,
      mailDomain: config.mail.domain,
    },
    ...(config.payment.provider === "stripe"
      ? { paymentWindowMs: config.payment.windowMinutes * 60_000 }
      : {}),
  });
  // The dev server runs the processing itself: what a previous run left in flight resumes now.
  if (queue !== undefined) void resumeOrdersInFlight({ store, queue, clock, log });
  const graphql = routes.some((route) => route.group === "graphql")
    ? lazyGraphql(() => createGraphql(services, config, log))
    : notServedHere;
  const cors: CorsConfig = { allowedOrigins: new Set(config.allowedOrigins), maxAgeSeconds: 600 };
  const handler = createRouter({
    routes,
    apiRoutes: ROUTES,
    services: { ...services, graphql },
    verifier,
    cors,
    maxBodyBytes: config.maxBodyBytes,
    log,
  });
  const websocket = createWebSocketRouter({
    connections: services.connections,
    verifier,
    cors,
    log,
  });
  return {
    handler,
    websocket,
    services,
    verifier,
    cors,
    store,
    config,
    log,
    ...(localConnections === undefined ? {} : { localConnections }),
    close: async () => {
      await queue?.drain();
      await store.close();
    },
  };
}

/**
 * The notifier: API Gateway's management API when there is a WebSocket endpoint to post to, the
 * dev server's own sockets when it runs the processing, else one that logs what it skipped.
 */
function createNotifier(
  config: Config,
  deps: { directory: ConnectionDirectory; clock: Clock; log: Logger },
  localConnections: LocalConnections | undefined,
): Notifier {
  const websocket = config.websocket;
  if (websocket !== undefined) {
    return lazyNotifier(async () => {
      const { createApiGatewayNotifier } = await import("../notify/api-gateway-notifier.js");
      return createApiGatewayNotifier({ ...deps, ...websocket });
    });
  }
  if (localConnections !== undefined)
    return createLocalNotifier({ ...deps, connections: localConnections });
  return createSkippingNotifier(deps.log, "WEBSOCKET_ENDPOINT is not set");
}

/** Presigned S3 PUTs when a bucket is configured (AWS), else a refusal that says why. */
function createUploads(config: Config): ImageUploads {
  const target = config.uploads;
  if (target === undefined) {
    return {
      createUpload: async () => {
        throw new AppError(
          "NOT_IMPLEMENTED",
          "image uploads need UPLOADS_BUCKET (in AWS) or the dev server's upload endpoint",
        );
      },
    };
  }
  const uploads = onFirstUse(async () => {
    const { createS3ImageUploads } = await import("../aws/s3-uploads.js");
    return createS3ImageUploads(target);
  });
  return { createUpload: async (request) => (await uploads()).createUpload(request) };
}

/** Loads the management API's client on the first update: the REST functions never do. */
function lazyNotifier(load: () => Promise<Notifier>): Notifier {
  const notifier = onFirstUse(load);
  return { notify: async (userId, message) => (await notifier()).notify(userId, message) };
}

async function openStore(config: Config): Promise<Store> {
  const store = config.store;
  // Adapters load on demand: a process on one store never loads another's driver, and a
  // function on DynamoDB never loads the memory store.
  switch (store.kind) {
    case "memory": {
      const { MemoryStore } = await import("../store/memory-store.js");
      return new MemoryStore();
    }
    case "sqlite": {
      const { openSqliteStore } = await import("../store/sqlite/store.js");
      return openSqliteStore({ file: store.file });
    }
    case "dynamodb": {
      const { openDynamoDbStore } = await import("../store/dynamodb/store.js");
      // With DynamoDB Local, make and seed the table as SQLite does locally.
      return openDynamoDbStore({
        tableName: store.tableName,
        ...(store.endpoint === undefined ? {} : { endpoint: store.endpoint }),
        region: store.region,
        ...(store.credentials === undefined ? {} : { credentials: store.credentials }),
        createTable: store.createTable,
        seed: store.createTable,
        layout: store.layout,
      });
    }
  }
}

// Cold start: a Lambda function loads graphql-js, jose and aws-jwt-verify only when it needs
// them. The modules are imported on their own (not through the layer's index) so that a bundle
// split at these imports keeps each library out of the functions that never use it.

async function createGraphql(
  services: Services,
  config: Config,
  log: Logger,
): Promise<GraphqlExecutor> {
  const { createGraphqlExecutor } = await import("../graphql/executor.js");
  return createGraphqlExecutor(services, { introspection: config.graphqlIntrospection, log });
}

/**
 * Loads graphql-js and builds the schema on the first GraphQL request: the dev server serves
 * REST and GraphQL together, and the graph function's cold start need not wait for it either.
 */
function lazyGraphql(load: () => Promise<GraphqlExecutor>): GraphqlExecutor {
  const executor = onFirstUse(load);
  return { execute: async (request, context) => (await executor()).execute(request, context) };
}

/** The executor of a function that serves no GraphQL route: the router never calls it. */
const notServedHere: GraphqlExecutor = {
  execute: async () => {
    throw new Error("GraphQL is not served by this function");
  },
};

async function createIdentity(
  config: Config,
  store: Store,
  deferOpening: boolean,
): Promise<{ tokens: TokenIssuer; verifier: TokenVerifier }> {
  const auth = config.auth;
  if (auth.mode === "cognito") {
    const refuse = async (): Promise<never> => {
      throw new AppError("NOT_IMPLEMENTED", "sign up and sign in with the Cognito user pool");
    };
    const verifier = lazyVerifier(async () => {
      const { createCognitoTokenVerifier } = await import("../identity/token-verifier.js");
      return createCognitoTokenVerifier(auth);
    });
    const tokens: TokenIssuer = {
      issue: refuse,
      issueSession: refuse,
      verifyRefreshToken: refuse,
      jwks: refuse,
    };
    return { tokens, verifier };
  }
  const opening = import("../identity/local-token-issuer.js").then(({ createLocalTokenIssuer }) =>
    createLocalTokenIssuer(auth),
  );
  const tokens = deferOpening ? deferred(opening) : await opening;
  const verifier = lazyVerifier(async () => {
    const { createLocalTokenVerifier } = await import("../identity/token-verifier.js");
    return createLocalTokenVerifier({
      issuer: auth.issuer,
      clientId: auth.clientId,
      jwks: () => tokens.jwks(),
      // The local pool's users live in the store (Cognito's in Cognito, which does this itself).
      userExists: async (userId) => (await store.getUser(userId)) !== undefined,
    });
  });
  return { tokens, verifier };
}

/** Loads the verifier on the first token: an anonymous catalogue read never pays for it. */
function lazyVerifier(load: () => Promise<TokenVerifier>): TokenVerifier {
  const verifier = onFirstUse(load);
  return {
    verify: async (token, use) => (await verifier()).verify(token, use),
    verifyIdToken: async (token) => (await verifier()).verifyIdToken(token),
  };
}
