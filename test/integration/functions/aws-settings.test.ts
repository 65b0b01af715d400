import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../src/compose/index.js";
import { createHandler } from "../../../src/functions/handler.js";
import { createOrderStreamHandler, createWebSocketHandler } from "../../../src/functions/index.js";
import { toWebSocketEvent } from "../../../src/local/websocket-event.js";
import { apiEvent } from "../../helpers/api-event.js";
import { streamEvent, streamRecord } from "../../helpers/stream-event.js";

// Every Lambda entry point composes from the environment. With a local DynamoDB endpoint and no
// AWS settings at all (a laptop, CI, serverless-offline), each signs with DynamoDB Local's
// harmless region and keys; without an endpoint, a missing region stops it with one line.

const AWS_VARIABLES = Object.keys(process.env).filter((name) => name.startsWith("AWS_"));

/** A stand-in for DynamoDB that records who signed each request and answers "nothing there". */
interface FakeDynamoDb {
  endpoint: string;
  signers: () => string[];
}

let fake: FakeDynamoDb;
let server: Server;

beforeAll(async () => {
  const authorizations: string[] = [];
  server = createServer((request, response) => {
    authorizations.push(String(request.headers.authorization));
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "Content-Type": "application/x-amz-json-1.0" });
      response.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake = {
    endpoint: `http://127.0.0.1:${port}`,
    // `Credential=<access key>/<date>/<region>/<service>/aws4_request`, without the date.
    signers: () =>
      authorizations.map((header) => {
        const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(header);
        return scope === null ? header : `${scope[1]} ${scope[2]} ${scope[3]}`;
      }),
  };
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The environment of a function with no AWS variable at all, plus `env`. */
function stubEnvironment(env: Record<string, string>): void {
  for (const name of AWS_VARIABLES) vi.stubEnv(name, undefined);
  vi.stubEnv("STORE", "dynamodb");
  vi.stubEnv("DYNAMODB_CREATE_TABLE", "false");
  vi.stubEnv("LOG_REQUESTS", "false");
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

const FACTORIES = {
  "an API function": async () => {
    const handler = await createHandler(["GET /products/{id}"]);
    const result = await handler(
      apiEvent({ method: "GET", resource: "/products/{id}", path: "/products/lonely-bird" }),
    );
    expect(result.statusCode).toBe(404);
  },
  "the WebSocket function": async () => {
    const handler = await createWebSocketHandler();
    const event = toWebSocketEvent({
      routeKey: "$disconnect",
      connectionId: "c1",
      connectedAt: Date.now(),
      sourceIp: "203.0.113.7",
    });
    expect((await handler(event)).statusCode).toBe(200);
  },
  "the order-processing function": async () => {
    const handler = await createOrderStreamHandler();
    // An order the store does not hold: processing reads it, finds nothing and stops.
    await handler(
      streamEvent(
        streamRecord({
          eventName: "INSERT",
          newImage: { type: "ORDER", status: "PLACED", id: "o1", userId: "u1" },
          keys: { PK: "USER#u1", SK: "ORDER#o1" },
        }),
      ),
    );
  },
};

describe.each(Object.entries(FACTORIES))("%s", (_, run) => {
  it("signs for DynamoDB Local with local values when the environment has no AWS settings", async () => {
    stubEnvironment({ DYNAMODB_ENDPOINT: fake.endpoint });
    const before = fake.signers().length;
    await run();
    const signers = fake.signers().slice(before);
    expect(signers.length).toBeGreaterThan(0);
    expect(new Set(signers)).toEqual(new Set(["local us-east-1 dynamodb"]));
  });

  it("signs with the environment's region and keys when it has them", async () => {
    stubEnvironment({
      DYNAMODB_ENDPOINT: fake.endpoint,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIAFROMTHEENV000000",
      AWS_SECRET_ACCESS_KEY: "from-the-environment",
    });
    const before = fake.signers().length;
    await run();
    expect(new Set(fake.signers().slice(before))).toEqual(
      new Set(["AKIAFROMTHEENV000000 eu-west-1 dynamodb"]),
    );
  });

  it("stops with one line naming AWS_REGION when AWS's DynamoDB has no region", async () => {
    stubEnvironment({});
    const failure = await run().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    const error = failure as ConfigError;
    expect(error.message).toMatch(/^invalid configuration: AWS_REGION: /);
    expect(error.stack).toBe(error.message);
  });
});
