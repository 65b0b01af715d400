import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A recording HTTP proxy between the store's own DynamoDB client and DynamoDB Local: it asks for
// `ReturnConsumedCapacity: "TOTAL"` on every operation that can report it, and adds up the
// capacity each answer reports and the requests, per operation. The store's code is unchanged:
// point its endpoint (DYNAMODB_ENDPOINT) at `endpoint`. DynamoDB Local does not check request
// signatures, so the rewritten body is accepted.

/** The operations that take `ReturnConsumedCapacity`; the rest (table setup) are counted only. */
const REPORTING = new Set([
  "GetItem",
  "BatchGetItem",
  "Query",
  "Scan",
  "TransactGetItems",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
]);
const WRITES = new Set([
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
]);

/** What one operation cost, added up over the requests recorded. */
export interface Capacity {
  requests: number;
  /** Requests DynamoDB refused (a cancelled transaction, a failed condition): no capacity. */
  refused: number;
  readUnits: number;
  writeUnits: number;
}

export interface CapacityProxy {
  endpoint: string;
  /** Per operation (`Query`, `TransactWriteItems`, ...), since the last `reset`. */
  byOperation(): Map<string, Capacity>;
  /** Every operation together, since the last `reset`. */
  total(): Capacity;
  reset(): void;
  close(): Promise<void>;
}

interface ReportedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Headers of one hop, which a proxy answers for itself instead of passing on. */
export const HOP_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "content-encoding",
  "content-length",
  "keep-alive",
  "transfer-encoding",
]);

const empty = (): Capacity => ({ requests: 0, refused: 0, readUnits: 0, writeUnits: 0 });

/** Starts the proxy in front of `target` (DynamoDB Local's endpoint) on a free loopback port. */
export async function startCapacityProxy(target: string): Promise<CapacityProxy> {
  let recorded = new Map<string, Capacity>();

  const record = (operation: string, status: number, answer: Record<string, unknown>) => {
    const capacity = recorded.get(operation) ?? empty();
    recorded.set(operation, capacity);
    capacity.requests += 1;
    if (status !== 200) capacity.refused += 1;
    const reported = answer.ConsumedCapacity;
    const parts = (Array.isArray(reported) ? reported : [reported]) as (
      | ReportedCapacity
      | undefined
    )[];
    for (const part of parts) {
      if (part === undefined) continue;
      const units = part.CapacityUnits ?? 0;
      if (part.ReadCapacityUnits !== undefined || part.WriteCapacityUnits !== undefined) {
        capacity.readUnits += part.ReadCapacityUnits ?? 0;
        capacity.writeUnits += part.WriteCapacityUnits ?? 0;
      } else if (WRITES.has(operation)) {
        capacity.writeUnits += units;
      } else {
        capacity.readUnits += units;
      }
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    let body = Buffer.concat(chunks).toString("utf8");
    if (REPORTING.has(operation)) {
      body = JSON.stringify({ ...JSON.parse(body || "{}"), ReturnConsumedCapacity: "TOTAL" });
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && name !== "host" && name !== "content-length") {
        headers.set(name, value);
      }
    }
    const forwarded = await fetch(target, { method: "POST", headers, body });
    const text = await forwarded.text();
    let answer: Record<string, unknown> = {};
    try {
      answer = JSON.parse(text || "{}");
    } catch {
      // Not JSON: counted as a request, with no capacity to add.
    }
    record(operation, forwarded.status, answer);
    // The client asked for no capacity: hand back the answer it would have had.
    const { ConsumedCapacity: _reported, ...unasked } = answer;
    const passed: Record<string, string> = {};
    for (const [name, value] of forwarded.headers) {
      if (!HOP_HEADERS.has(name) && name !== "x-amz-crc32") passed[name] = value;
    }
    response.writeHead(forwarded.status, passed);
    response.end(REPORTING.has(operation) ? JSON.stringify(unasked) : text);
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
    byOperation: () => new Map([...recorded].map(([name, capacity]) => [name, { ...capacity }])),
    total: () =>
      [...recorded.values()].reduce(
        (sum, capacity) => ({
          requests: sum.requests + capacity.requests,
          refused: sum.refused + capacity.refused,
          readUnits: sum.readUnits + capacity.readUnits,
          writeUnits: sum.writeUnits + capacity.writeUnits,
        }),
        empty(),
      ),
    reset: () => {
      recorded = new Map();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
