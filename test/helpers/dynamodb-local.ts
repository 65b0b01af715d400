import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../src/local/dynamodb-local.js";
import {
  DynamoDbClient,
  type DynamoDbClientOptions,
  DynamoDbServiceError,
} from "../../src/store/dynamodb/client.js";
import { DynamoDbDocuments } from "../../src/store/dynamodb/documents.js";
import type { Table } from "../../src/store/dynamodb/reads.js";
import {
  type DynamoDbStore,
  type DynamoDbStoreOptions,
  openDynamoDbStore,
} from "../../src/store/dynamodb/store.js";
import { DEFAULT_LAYOUT } from "../../src/store/dynamodb/table.js";

/**
 * Starts one DynamoDB Local for the calling test file (beforeAll) and stops it afterwards
 * (afterAll). The returned function gives the running emulator inside tests and hooks.
 */
export function useDynamoDbLocal(): () => DynamoDbLocal {
  let local: DynamoDbLocal | undefined;
  beforeAll(async () => {
    local = await startDynamoDbLocal();
  });
  afterAll(async () => {
    await local?.stop();
  });
  return () => {
    if (local === undefined) throw new Error("DynamoDB Local is not running");
    return local;
  };
}

/** A client of `endpoint` (DynamoDB Local or a proxy in front of it) with the local credentials. */
export function localClient(
  local: Pick<DynamoDbLocal, "region" | "credentials">,
  endpoint: string,
  options: DynamoDbClientOptions = {},
): DynamoDbClient {
  return new DynamoDbClient({
    endpoint,
    region: local.region,
    credentials: local.credentials,
    ...options,
  });
}

/** A table name no other test of the run uses. */
export const uniqueTableName = (prefix = "store"): string =>
  `${prefix}-${randomUUID().slice(0, 8)}`;

/** A store whose client counts its requests, and its table as the store's own reads see it. */
export interface CountedStore {
  store: DynamoDbStore;
  requests: ReturnType<typeof countRequests>;
  table: Table;
}

export interface LocalTables {
  open(options?: Partial<DynamoDbStoreOptions>): Promise<DynamoDbStore>;
  openCounted(prefix: string): Promise<CountedStore>;
  drop(): Promise<void>;
}

/**
 * Tables of DynamoDB Local made for the calling test file: `open` gives a store on a new table,
 * created and seeded (options override), as one Lambda instance opens it; `openCounted` the same
 * on a client that counts its requests (its table named after `prefix`); `drop` closes the
 * counted stores and deletes every table opened so far (call it from afterEach or afterAll).
 */
export function localTables(local: () => DynamoDbLocal): LocalTables {
  const names = new Set<string>();
  const closers: (() => Promise<void>)[] = [];
  const tables: LocalTables = {
    open(options = {}) {
      const tableName = options.tableName ?? uniqueTableName();
      names.add(tableName);
      const { endpoint, region, credentials } = local();
      return openDynamoDbStore({
        tableName,
        endpoint,
        region,
        credentials,
        createTable: true,
        seed: true,
        ...options,
      });
    },
    async openCounted(prefix) {
      const requests = countRequests();
      const client = localClient(local(), local().endpoint, { onRequest: requests.onRequest });
      const tableName = uniqueTableName(prefix);
      const store = await tables.open({ tableName, client });
      closers.push(async () => {
        await store.close();
        client.destroy();
      });
      const table: Table = {
        documents: new DynamoDbDocuments(client),
        name: tableName,
        layout: DEFAULT_LAYOUT,
      };
      return { store, requests, table };
    },
    async drop() {
      for (const close of closers.splice(0)) await close();
      const admin = localClient(local(), local().endpoint);
      try {
        for (const name of names) await deleteTable(admin, name);
        names.clear();
      } finally {
        admin.destroy();
      }
    },
  };
  return tables;
}

export async function deleteTable(client: DynamoDbClient, tableName: string): Promise<void> {
  try {
    await client.send("DeleteTable", { TableName: tableName });
  } catch (error) {
    if (!(error instanceof DynamoDbServiceError && error.name === "ResourceNotFoundException")) {
      throw error;
    }
  }
}

/**
 * Counts HTTP requests per operation (`Query`, `BatchGetItem`, ...): pass `onRequest` to the
 * client. The client calls it before every attempt, so a retried request counts once per attempt.
 */
export function countRequests(): {
  counts: Map<string, number>;
  onRequest(operation: string): void;
  total(): number;
  reset(): void;
} {
  const counts = new Map<string, number>();
  return {
    onRequest: (operation) => {
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
    },
    counts,
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    reset: () => counts.clear(),
  };
}

const HOP_HEADERS = new Set([
  "connection",
  "content-encoding",
  "content-length",
  "keep-alive",
  "transfer-encoding",
]);

/** A DynamoDB error answer as the service sends it: status, `__type` and the error's fields. */
export interface FaultAnswer {
  statusCode: number;
  type: string;
  message: string;
  fields?: Record<string, unknown>;
}

export interface FaultProxy {
  endpoint: string;
  /** Requests seen per DynamoDB operation (`TransactWriteItems`, ...), faulted or forwarded. */
  seen: Map<string, number>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of DynamoDB Local that answers some requests with a DynamoDB error
 * instead of forwarding them: the client parses, retries and throws exactly as it would for AWS.
 * `fault` sees the operation name and its JSON body and returns the error, or undefined to
 * forward the request.
 */
export async function startFaultProxy(
  target: string,
  fault: (operation: string, body: Record<string, unknown>) => FaultAnswer | undefined,
): Promise<FaultProxy> {
  const seen = new Map<string, number>();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    seen.set(operation, (seen.get(operation) ?? 0) + 1);
    const answer = fault(operation, JSON.parse(raw.toString("utf8") || "{}"));
    if (answer !== undefined) {
      response.writeHead(answer.statusCode, { "content-type": "application/x-amz-json-1.0" });
      response.end(
        JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`,
          message: answer.message,
          ...answer.fields,
        }),
      );
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && name !== "host" && name !== "content-length") {
        headers.set(name, value);
      }
    }
    const forwarded = await fetch(target, { method: "POST", headers, body: raw });
    const body = Buffer.from(await forwarded.arrayBuffer());
    const passed: Record<string, string> = {};
    for (const [name, value] of forwarded.headers) {
      if (!HOP_HEADERS.has(name)) passed[name] = value;
    }
    response.writeHead(forwarded.status, passed);
    response.end(body);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      response.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
