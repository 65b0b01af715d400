import { describe, expect, it } from "vitest";
import { ConfigError, LOCAL_AWS, loadConfig } from "../../../src/compose/index.js";

describe("the configuration's default CORS origins", () => {
  it("let the page call from the server's own origin and from Vite's dev server, by either loopback name", () => {
    const config = loadConfig({ PORT: "3100" });
    for (const origin of [
      "http://localhost:3100",
      "http://127.0.0.1:3100",
      "http://localhost:5173",
      "http://127.0.0.1:5173",
    ]) {
      expect(config.allowedOrigins).toContain(origin);
    }
  });

  it("are replaced, not extended, by CORS_ORIGINS", () => {
    const config = loadConfig({ CORS_ORIGINS: "https://shop.example.com" });
    expect(config.allowedOrigins).toEqual(["https://shop.example.com"]);
  });
});

describe("the AWS settings a store on DynamoDB needs", () => {
  it("default to DynamoDB Local's harmless region and keys with an endpoint and no AWS settings", () => {
    const config = loadConfig({ STORE: "dynamodb", DYNAMODB_ENDPOINT: "http://127.0.0.1:8000" });
    expect(config.store).toEqual({
      kind: "dynamodb",
      tableName: "serverless-store",
      endpoint: "http://127.0.0.1:8000",
      region: LOCAL_AWS.region,
      credentials: LOCAL_AWS.credentials,
      createTable: true,
      layout: {},
    });
  });

  it("take the shard counts of the table's layout, each checked", () => {
    const config = loadConfig({
      STORE: "dynamodb",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      DYNAMODB_LIST_SHARDS: "1",
      DYNAMODB_STOCK_SHARDS: "8",
    });
    expect(config.store).toMatchObject({ layout: { listShards: 1, stockShards: 8 } });
    expect(() =>
      loadConfig({ STORE: "dynamodb", AWS_REGION: "eu-west-1", DYNAMODB_LIST_SHARDS: "0" }),
    ).toThrow(/DYNAMODB_LIST_SHARDS/);
  });

  it("are the environment's when it has them, even with an endpoint (empty ones count as unset)", () => {
    const config = loadConfig({
      STORE: "dynamodb",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      AWS_REGION: "",
      AWS_DEFAULT_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
    });
    expect(config.store).toMatchObject({ region: "eu-central-1" });
    expect(config.store).not.toHaveProperty("credentials");
  });

  it("leave AWS's DynamoDB to the environment's keys or the SDK's chain, with the region set", () => {
    const config = loadConfig({ STORE: "dynamodb", AWS_REGION: "eu-west-1" });
    expect(config.store).toEqual({
      kind: "dynamodb",
      tableName: "serverless-store",
      region: "eu-west-1",
      createTable: false,
      layout: {},
    });
  });

  it.each([
    [{ STORE: "dynamodb" }, /^invalid configuration: AWS_REGION: STORE=dynamodb needs/],
    [
      { STORE: "dynamodb", DYNAMODB_ENDPOINT: "http://127.0.0.1:8000", AWS_ACCESS_KEY_ID: "AKIA" },
      /^invalid configuration: AWS_SECRET_ACCESS_KEY: missing, and AWS_ACCESS_KEY_ID is set/,
    ],
    [
      { STORE: "memory", WEBSOCKET_ENDPOINT: "https://ws.example.com/prod" },
      /^invalid configuration: AWS_REGION: WEBSOCKET_ENDPOINT needs/,
    ],
    [{ PORT: "http" }, /^invalid configuration: PORT: /],
  ])("stop the start with one line naming what is missing: %j", (env, message) => {
    const error = (() => {
      try {
        loadConfig(env);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    // Printed anywhere (a failed Lambda start, serverless-offline), it is that line, no trace.
    expect((error as Error).stack).toBe((error as Error).message);
  });

  it("take the WebSocket API's region from its endpoint when the environment has none", () => {
    const config = loadConfig({
      WEBSOCKET_ENDPOINT: "https://abc123.execute-api.ap-south-1.amazonaws.com/prod",
    });
    expect(config.websocket).toEqual({
      endpoint: "https://abc123.execute-api.ap-south-1.amazonaws.com/prod",
      region: "ap-south-1",
    });
  });
});

describe("the operators' settings", () => {
  it("read ADMIN_EMAILS lower-cased (none by default) and refuse one that is not an email", () => {
    expect(loadConfig({}).auth).toMatchObject({ mode: "local", adminEmails: [] });
    expect(loadConfig({ ADMIN_EMAILS: " Olive@Example.com ,ops@example.com," }).auth).toMatchObject(
      {
        adminEmails: ["olive@example.com", "ops@example.com"],
      },
    );
    expect(() => loadConfig({ ADMIN_EMAILS: "olive" })).toThrow(ConfigError);
    expect(() => loadConfig({ ADMIN_EMAILS: "olive" })).toThrow(/ADMIN_EMAILS: olive/);
  });

  it("sign uploads to UPLOADS_BUCKET in the function's region, and want the region", () => {
    expect(loadConfig({ UPLOADS_BUCKET: "site-bucket", AWS_REGION: "eu-west-1" }).uploads).toEqual({
      bucket: "site-bucket",
      region: "eu-west-1",
    });
    expect(loadConfig({}).uploads).toBeUndefined();
    expect(() => loadConfig({ UPLOADS_BUCKET: "site-bucket" })).toThrow(/AWS_REGION/);
  });
});
