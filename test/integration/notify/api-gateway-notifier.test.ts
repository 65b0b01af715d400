import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { afterEach, describe, expect, it } from "vitest";
import type { Connection } from "../../../src/domain/index.js";
import { createApiGatewayNotifier } from "../../../src/notify/api-gateway-notifier.js";
import type { OrderUpdate } from "../../../src/services/index.js";
import { MemoryStore } from "../../../src/store/index.js";
import { resign, signedHeadersOf } from "../../helpers/aws-signature.js";

const NOW = new Date("2026-11-25T10:00:00.000Z");
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const UPDATE: OrderUpdate = { type: "order.updated", orderId: "order-1", status: "PROCESSING" };

interface Posted {
  method: string;
  path: string;
  connectionId: string;
  body: string;
  authorization: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * The emulated service: a loopback HTTP server playing API Gateway's management API,
 * `POST /@connections/{connectionId}`, answering 410 Gone for the ids in `gone`, 500 for those
 * in `broken` and 200 otherwise. The notifier under test talks to it with the real SDK client.
 */
async function startManagementApi(answers: { gone?: string[]; broken?: string[] } = {}) {
  const posted: Posted[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const match = /^\/prod\/@connections\/([^/?]+)$/.exec(request.url ?? "");
      const connectionId = decodeURIComponent(match?.[1] ?? "");
      posted.push({
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        connectionId,
        body: Buffer.concat(chunks).toString("utf8"),
        authorization: request.headers.authorization,
      });
      const status = answers.gone?.includes(connectionId)
        ? 410
        : answers.broken?.includes(connectionId)
          ? 500
          : match === null
            ? 404
            : 200;
      response.writeHead(status, {
        "content-type": "application/json",
        ...(status === 410 ? { "x-amzn-errortype": "GoneException" } : {}),
      });
      response.end(status === 200 ? "" : JSON.stringify({ message: `status ${status}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/prod`,
    port,
    posted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const connection = (id: string, userId: string, expiresAt = NOW_SECONDS + 3600): Connection => ({
  id,
  userId,
  connectedAt: NOW.toISOString(),
  expiresAt,
});

async function setUp(answers: { gone?: string[]; broken?: string[] } = {}) {
  const api = await startManagementApi(answers);
  closers.push(api.close);
  const store = new MemoryStore();
  const logged: Record<string, unknown>[] = [];
  const notifier = createApiGatewayNotifier({
    endpoint: api.endpoint,
    directory: store,
    clock: { now: () => NOW },
    log: (entry) => logged.push(entry),
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  });
  return { api, store, notifier, logged };
}

describe("the API Gateway notifier", () => {
  it("posts the update as JSON to each live connection of the user, signed, and to no one else", async () => {
    const { api, store, notifier } = await setUp();
    await store.saveConnection(connection("Tf0n4dmXIAMCI1g=", "ada"));
    await store.saveConnection(connection("ada/second+", "ada"));
    await store.saveConnection(connection("expired", "ada", NOW_SECONDS));
    await store.saveConnection(connection("bobs", "bob"));

    await notifier.notify("ada", UPDATE);

    expect(api.posted.map((p) => p.connectionId).sort()).toEqual([
      "Tf0n4dmXIAMCI1g=",
      "ada/second+",
    ]);
    for (const post of api.posted) {
      expect(post.method).toBe("POST");
      expect(JSON.parse(post.body)).toStrictEqual(UPDATE);
      expect(post.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\//,
      );
    }
  });

  it("deletes a connection answered 410 Gone, keeps one that failed otherwise, and never throws", async () => {
    const { api, store, notifier, logged } = await setUp({ gone: ["gone"], broken: ["broken"] });
    for (const id of ["fine", "gone", "broken"]) await store.saveConnection(connection(id, "ada"));

    await expect(notifier.notify("ada", UPDATE)).resolves.toBeUndefined();

    // A 5xx is retried once by the SDK (maxAttempts 2); a 410 is final at once.
    expect(api.posted.map((p) => p.connectionId).sort()).toEqual([
      "broken",
      "broken",
      "fine",
      "gone",
    ]);
    const left = await store.listConnections("ada", NOW_SECONDS);
    expect(left.map((c) => c.id).sort()).toEqual(["broken", "fine"]);
    expect(logged).toEqual([
      expect.objectContaining({ level: "warn", orderId: "order-1", connectionId: "broken" }),
    ]);
  });

  it("logs and returns when the management API cannot be reached", async () => {
    const { api, store, notifier, logged } = await setUp();
    await store.saveConnection(connection("fine", "ada"));
    await api.close();

    await expect(notifier.notify("ada", UPDATE)).resolves.toBeUndefined();

    expect(logged).toEqual([expect.objectContaining({ level: "warn", connectionId: "fine" })]);
    expect(await store.listConnections("ada", NOW_SECONDS)).toHaveLength(1);
  });

  it("signs a post exactly as the AWS SDK does, with the same signed headers", async () => {
    const { api, store, notifier } = await setUp();
    const id = "Tf0n4dmX/IA+MCI1g=";
    const data = JSON.stringify(UPDATE);
    const sdk = new ApiGatewayManagementApiClient({
      endpoint: api.endpoint,
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    try {
      await sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: data }));
    } finally {
      sdk.destroy();
    }
    await store.saveConnection(connection(id, "ada"));
    await notifier.notify("ada", UPDATE);
    const [fromSdk, own] = api.posted;
    if (fromSdk === undefined || own === undefined) throw new Error("a post is missing");

    const signing = {
      service: "execute-api",
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    };
    expect(await resign(fromSdk, api.port, signing)).toBe(fromSdk.authorization);
    expect(own.path).toBe(fromSdk.path);
    expect(own.body).toBe(fromSdk.body);
    expect(signedHeadersOf(own.authorization)).toBe(signedHeadersOf(fromSdk.authorization));
  });
});
