import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError, epochSeconds } from "../../../src/domain/index.js";
import { createWebSocketHandler } from "../../../src/functions/index.js";
import { toWebSocketEvent } from "../../../src/local/websocket-event.js";
import { MemoryStore } from "../../../src/store/index.js";
import {
  interceptStore,
  manualClock,
  startPerTest,
  stubLambdaEnvironment,
  type TestApp,
} from "../../helpers/app.js";

let t: TestApp;
const start = startPerTest((app) => {
  t = app;
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const CONNECTED_AT = Date.parse("2026-11-25T10:00:00.000Z");

/** A WebSocket API event for `routeKey`, as API Gateway sends it (the dev server's builder). */
const event = (
  routeKey: "$connect" | "$disconnect" | "$default",
  options: { connectionId?: string; token?: string; body?: string } = {},
) =>
  toWebSocketEvent({
    routeKey,
    connectionId: options.connectionId ?? "Tf0n4dmXIAMCI1g=",
    connectedAt: CONNECTED_AT,
    sourceIp: "203.0.113.7",
    ...(options.token === undefined ? {} : { query: { token: options.token } }),
    ...(options.body === undefined ? {} : { body: options.body }),
  });

describe("the WebSocket API handler", () => {
  it("$connect with a valid token records the connection for 2 hours", async () => {
    const clock = manualClock("2026-11-25T10:00:00.000Z");
    await start({ clock });
    const ada = await t.signup();

    const result = await t.app.websocket(event("$connect", { token: ada.token }));

    expect(result.statusCode).toBe(200);
    const now = epochSeconds(clock.now());
    expect(await t.app.store.listConnections(ada.userId, now)).toStrictEqual([
      {
        id: "Tf0n4dmXIAMCI1g=",
        userId: ada.userId,
        connectedAt: "2026-11-25T10:00:00.000Z",
        expiresAt: now + 7200,
      },
    ]);
  });

  it("$connect refuses a missing, malformed, expired or foreign token with 401, recording nothing", async () => {
    await start();
    const ada = await t.signup();
    const tokens = [
      undefined,
      "",
      "not-a-jwt",
      await t.mint({ subject: ada.userId, expiresInSeconds: -60 }),
      await t.mint({ subject: ada.userId, clientId: "someone-else" }),
      await t.mint({ subject: ada.userId, tokenUse: "id" }),
    ];

    for (const token of tokens) {
      const result = await t.app.websocket(event("$connect", token === undefined ? {} : { token }));
      expect(result.statusCode, String(token)).toBe(401);
      expect(JSON.parse(result.body ?? "{}")).toEqual({ message: expect.any(String) });
    }
    expect(await t.app.store.listConnections(ada.userId, 0)).toEqual([]);
  });

  it("$disconnect forgets the connection; an unknown one is fine", async () => {
    await start();
    const ada = await t.signup();
    await t.app.websocket(event("$connect", { token: ada.token, connectionId: "c1" }));
    await t.app.websocket(event("$connect", { token: ada.token, connectionId: "c2" }));

    expect((await t.app.websocket(event("$disconnect", { connectionId: "c1" }))).statusCode).toBe(
      200,
    );
    expect((await t.app.websocket(event("$disconnect", { connectionId: "c9" }))).statusCode).toBe(
      200,
    );

    const left = await t.app.store.listConnections(ada.userId, 0);
    expect(left.map((c) => c.id)).toEqual(["c2"]);
  });

  it("$default refuses messages with 400: the socket only carries updates", async () => {
    await start();
    const result = await t.app.websocket(event("$default", { body: '{"action":"hello"}' }));
    expect(result.statusCode).toBe(400);
  });

  it("answers 503 while the store is unavailable and 500, logged, for anything unexpected", async () => {
    let failure: Error = new AppError(
      "STORE_UNAVAILABLE",
      "the store is unavailable, retry shortly",
    );
    const store = interceptStore(new MemoryStore(), (method) => {
      if (method === "saveConnection" || method === "deleteConnection") throw failure;
    });
    await start({ store });
    const ada = await t.signup();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});

    expect((await t.app.websocket(event("$connect", { token: ada.token }))).statusCode).toBe(503);
    failure = new Error("SQLITE_CORRUPT: table connections is broken");
    const result = await t.app.websocket(event("$disconnect"));

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain("SQLITE");
    expect(logged).toHaveBeenCalledWith(expect.stringContaining("SQLITE_CORRUPT"));
  });

  it("createWebSocketHandler composes from the environment, as the Lambda function does", async () => {
    stubLambdaEnvironment();
    const handler = await createWebSocketHandler();

    expect((await handler(event("$connect"))).statusCode).toBe(401);
    expect((await handler(event("$connect", { token: "a.b.c" }))).statusCode).toBe(401);
    expect((await handler(event("$disconnect"))).statusCode).toBe(200);
  });
});
