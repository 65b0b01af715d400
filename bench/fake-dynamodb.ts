import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback HTTP server that answers DynamoDB's JSON protocol at once with canned, empty
 * answers (no item, an empty page): the cold-start benchmark's store, so that a function's first
 * store request costs what its own code and one loopback round trip cost, and nothing of a real
 * database's warm-up. It counts the requests, by operation, so the benchmark can check that an
 * invocation did reach the store.
 */
export interface FakeDynamoDb {
  endpoint: string;
  /** Requests since the last call, by operation (`GetItem`, `Query`, ...). */
  takeCounts(): Record<string, number>;
  close(): Promise<void>;
}

const EMPTY_ANSWERS: Record<string, (request: Record<string, unknown>) => object> = {
  GetItem: () => ({}),
  Query: () => ({ Items: [], Count: 0, ScannedCount: 0 }),
  Scan: () => ({ Items: [], Count: 0, ScannedCount: 0 }),
  BatchGetItem: () => ({ Responses: {}, UnprocessedKeys: {} }),
  BatchWriteItem: () => ({ UnprocessedItems: {} }),
  PutItem: () => ({}),
  // The table is empty: an update that asks for the item to exist fails its condition.
  UpdateItem: (request) => (request.ConditionExpression === undefined ? {} : CONDITION_FAILED),
  DeleteItem: () => ({}),
  TransactWriteItems: () => ({}),
  TransactGetItems: () => ({ Responses: [] }),
};

const CONDITION_FAILED = {
  __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
  message: "The conditional request failed",
};

export async function startFakeDynamoDb(): Promise<FakeDynamoDb> {
  let counts: Record<string, number> = {};
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
      counts[operation] = (counts[operation] ?? 0) + 1;
      const answer = EMPTY_ANSWERS[operation];
      let status = 200;
      let body: object;
      if (answer === undefined) {
        status = 400;
        body = { __type: "com.amazon.coral.validate#ValidationException", message: operation };
      } else {
        body = answer(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
        if (body === CONDITION_FAILED) status = 400;
      }
      const text = JSON.stringify(body);
      response.writeHead(status, {
        "Content-Type": "application/x-amz-json-1.0",
        "Content-Length": Buffer.byteLength(text),
        "x-amzn-RequestId": "fake",
      });
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    takeCounts() {
      const taken = counts;
      counts = {};
      return taken;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
