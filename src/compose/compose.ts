import { randomUUID } from "node:crypto";
import { AppError } from "../domain/index.js";
import { createGraphqlExecutor } from "../graphql/index.js";
import { type ApiHandler, createRouter, ROUTES, type Route } from "../http/index.js";
import {
  createCognitoTokenVerifier,
  createLocalTokenIssuer,
  createLocalTokenVerifier,
  scryptPasswords,
} from "../identity/index.js";
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
  const { tokens, verifier } = await createIdentity(config);
  const services = createServices({ store, clock, ids, passwords: scryptPasswords, tokens });
  const log = (entry: object) => console.error(JSON.stringify(entry));
  const graphql = createGraphqlExecutor(services, {
    introspection: config.graphqlIntrospection,
    log,
  });
  const handler = createRouter({
    routes: overrides.routes ?? ROUTES,
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
      // An explicit endpoint is DynamoDB Local: make and seed the table as SQLite does locally.
      const local = store.endpoint !== undefined;
      return openDynamoDbStore({
        tableName: store.tableName,
        ...(store.endpoint === undefined ? {} : { endpoint: store.endpoint }),
        ...(store.region === undefined ? {} : { region: store.region }),
        createTable: local,
        seed: local,
      });
    }
  }
}

async function createIdentity(
  config: Config,
): Promise<{ tokens: TokenIssuer; verifier: TokenVerifier }> {
  const auth = config.auth;
  if (auth.mode === "cognito") {
    const refuse = async (): Promise<never> => {
      throw new AppError("NOT_IMPLEMENTED", "sign up and sign in with the Cognito user pool");
    };
    return {
      tokens: { issue: refuse, jwks: refuse },
      verifier: createCognitoTokenVerifier(auth),
    };
  }
  const tokens = await createLocalTokenIssuer(auth);
  const verifier = createLocalTokenVerifier({
    issuer: auth.issuer,
    clientId: auth.clientId,
    jwks: () => tokens.jwks(),
  });
  return { tokens, verifier };
}
