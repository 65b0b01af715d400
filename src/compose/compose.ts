import { randomUUID } from "node:crypto";
import { AppError } from "../domain/index.js";
import type { GraphqlExecutor } from "../graphql/index.js";
import { type ApiHandler, createRouter, ROUTES, type Route } from "../http/index.js";
import { scryptPasswords } from "../identity/scrypt-passwords.js";
import {
  type Clock,
  createServices,
  type IdGenerator,
  type Services,
  type TokenIssuer,
  type TokenVerifier,
} from "../services/index.js";
import { MemoryStore, type Store } from "../store/index.js";
import type { Config } from "./config.js";

export interface App {
  handler: ApiHandler;
  services: Services;
  store: Store;
  config: Config;
  close(): Promise<void>;
}

export interface ComposeOverrides {
  store?: Store;
  clock?: Clock;
  ids?: IdGenerator;
  routes?: readonly Route[];
}

const systemClock: Clock = { now: () => new Date() };
const uuids: IdGenerator = { newId: () => randomUUID() };

/**
 * Builds the whole application from a validated config, once per process: the one place where
 * adapters meet services. Lambda entry points and the dev server both call it.
 */
export async function compose(config: Config, overrides: ComposeOverrides = {}): Promise<App> {
  const store = overrides.store ?? (await openStore(config));
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuids;
  const routes = overrides.routes ?? ROUTES;
  const { tokens, verifier } = await createIdentity(config);
  const services = createServices({ store, clock, ids, passwords: scryptPasswords, tokens });
  const log = (entry: object) => console.error(JSON.stringify(entry));
  const graphql = routes.some((route) => route.group === "graphql")
    ? await createGraphql(services, config, log)
    : notServedHere;
  const handler = createRouter({
    routes,
    apiRoutes: ROUTES,
    services: { ...services, graphql },
    verifier,
    cors: { allowedOrigins: new Set(config.allowedOrigins), maxAgeSeconds: 600 },
    maxBodyBytes: config.maxBodyBytes,
    log,
  });
  return { handler, services, store, config, close: () => store.close() };
}

async function openStore(config: Config): Promise<Store> {
  const store = config.store;
  // Adapters load on demand: a process on one store never loads another's driver.
  switch (store.kind) {
    case "memory":
      return new MemoryStore();
    case "sqlite": {
      const { openSqliteStore } = await import("../store/sqlite-store.js");
      return openSqliteStore({ file: store.file });
    }
    case "dynamodb": {
      const { openDynamoDbStore } = await import("../store/dynamodb-store.js");
      // With DynamoDB Local, make and seed the table as SQLite does locally.
      return openDynamoDbStore({
        tableName: store.tableName,
        ...(store.endpoint === undefined ? {} : { endpoint: store.endpoint }),
        ...(store.region === undefined ? {} : { region: store.region }),
        createTable: store.createTable,
        seed: store.createTable,
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
  log: (entry: object) => void,
): Promise<GraphqlExecutor> {
  const { createGraphqlExecutor } = await import("../graphql/executor.js");
  return createGraphqlExecutor(services, { introspection: config.graphqlIntrospection, log });
}

/** The executor of a function that serves no GraphQL route: the router never calls it. */
const notServedHere: GraphqlExecutor = {
  execute: async () => {
    throw new Error("GraphQL is not served by this function");
  },
};

async function createIdentity(
  config: Config,
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
    return { tokens: { issue: refuse, jwks: refuse }, verifier };
  }
  const { createLocalTokenIssuer } = await import("../identity/local-token-issuer.js");
  const tokens = await createLocalTokenIssuer(auth);
  const verifier = lazyVerifier(async () => {
    const { createLocalTokenVerifier } = await import("../identity/token-verifier.js");
    return createLocalTokenVerifier({
      issuer: auth.issuer,
      clientId: auth.clientId,
      jwks: () => tokens.jwks(),
    });
  });
  return { tokens, verifier };
}

/** Loads the verifier on the first token: an anonymous catalogue read never pays for it. */
function lazyVerifier(load: () => Promise<TokenVerifier>): TokenVerifier {
  let loading: Promise<TokenVerifier> | undefined;
  return {
    verify: async (token) => {
      loading ??= load();
      return (await loading).verify(token);
    },
  };
}
