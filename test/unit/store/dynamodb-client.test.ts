import { DynamoDBClient, GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type CredentialProvider,
  DynamoDbClient,
  type DynamoDbClientOptions,
  DynamoDbServiceError,
  defaultEndpoint,
} from "../../../src/store/dynamodb/client.js";
import { DynamoDbDocuments } from "../../../src/store/dynamodb/documents.js";
import {
  type CapturedRequest,
  EXAMPLE_CREDENTIALS as CREDENTIALS,
  exampleClientOptions,
  expectSignedLikeTheSdk,
  EXAMPLE_REGION as REGION,
} from "../../helpers/aws-signature.js";
import { type StandInAnswer, startAwsStandIn } from "../../helpers/aws-stand-in.js";

type Captured = CapturedRequest;

const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of servers.splice(0)) await close();
});

/** A loopback HTTP server playing DynamoDB: records each request, answers with `answer`. */
async function fakeDynamoDb(
  answer: (request: Captured, index: number) => StandInAnswer = () => okay,
) {
  const fake = await startAwsStandIn("application/x-amz-json-1.0", answer);
  servers.push(fake.close);
  return fake;
}

const okay: StandInAnswer = { status: 200, body: {} };
const failure = (status: number, name: string, fields: object = {}): StandInAnswer => ({
  status,
  body: { __type: `com.amazonaws.dynamodb.v20120810#${name}`, message: `${name} text`, ...fields },
});

function leanClient(endpoint: string, options: DynamoDbClientOptions = {}): DynamoDbClient {
  const client = new DynamoDbClient({ ...exampleClientOptions(endpoint), ...options });
  servers.push(async () => client.destroy());
  return client;
}

describe("DynamoDbClient signatures", () => {
  const sdkRequests: [string, (sdk: DynamoDBClient) => Promise<unknown>][] = [
    [
      "GetItem",
      (sdk) => sdk.send(new GetItemCommand({ TableName: "store", Key: { PK: { S: "USER#a" } } })),
    ],
    [
      "Query with non-ASCII values",
      (sdk) =>
        sdk.send(
          new QueryCommand({
            TableName: "store",
            KeyConditionExpression: "PK = :pk",
            ExpressionAttributeValues: { ":pk": { S: "PRODUCT#Zürich-café-☕" } },
          }),
        ),
    ],
  ];

  it.each(sdkRequests)(
    "signs %s exactly as the AWS SDK does, with the same signed headers",
    async (_, sendWithSdk) => {
      const fake = await fakeDynamoDb();
      const sdk = new DynamoDBClient(exampleClientOptions(fake.endpoint));
      try {
        await sendWithSdk(sdk);
      } finally {
        sdk.destroy();
      }
      const [fromSdk] = fake.requests;
      if (fromSdk === undefined) throw new Error("the SDK sent nothing");

      // The lean client's own request: same operation, body and set of signed headers.
      const target = String(fromSdk.headers["x-amz-target"]).split(".")[1] ?? "";
      await leanClient(fake.endpoint).send(target, JSON.parse(fromSdk.body));
      const signing = { service: "dynamodb", region: REGION, credentials: CREDENTIALS };
      const { own } = await expectSignedLikeTheSdk(fake, signing);
      expect(own.body).toBe(fromSdk.body);
    },
  );
});

describe("DynamoDbClient retries, timeouts and errors", () => {
  it("retries a 500 and returns the answer that follows", async () => {
    const fake = await fakeDynamoDb((_, index) =>
      index === 0 ? failure(500, "InternalServerError") : { status: 200, body: { Item: {} } },
    );
    const operations: string[] = [];
    const client = leanClient(fake.endpoint, { onRequest: (op) => operations.push(op) });

    expect(await client.send("GetItem", { TableName: "t" })).toStrictEqual({ Item: {} });
    expect(fake.requests).toHaveLength(2);
    expect(operations).toStrictEqual(["GetItem", "GetItem"]);
    expect(fake.requests[1]?.headers["amz-sdk-request"]).toBe("attempt=2; max=3");
  });

  it("does not retry a ValidationException, and names the error after its __type", async () => {
    const fake = await fakeDynamoDb(() => failure(400, "ValidationException"));
    const error = await leanClient(fake.endpoint)
      .send("Query", { TableName: "t" })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DynamoDbServiceError);
    expect(error).toMatchObject({
      name: "ValidationException",
      message: "ValidationException text",
      $fault: "client",
      statusCode: 400,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("retries throttling up to maxAttempts, then throws it", async () => {
    const fake = await fakeDynamoDb(() => failure(400, "ProvisionedThroughputExceededException"));
    const error = await leanClient(fake.endpoint)
      .send("GetItem", {})
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "ProvisionedThroughputExceededException" });
    expect(fake.requests).toHaveLength(3);
  });

  it("reads a 503 as a server fault, and a capitalised Message", async () => {
    const fake = await fakeDynamoDb(() => ({
      status: 503,
      body: { __type: "com.amazon.coral.availability#ServiceUnavailable", Message: "busy" },
    }));
    const error = await leanClient(fake.endpoint, { maxAttempts: 2 })
      .send("GetItem", {})
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "ServiceUnavailable", message: "busy", $fault: "server" });
    expect(fake.requests).toHaveLength(2);
  });

  it("retries a 502 whose body is not JSON (a proxy's page), and names it after its status", async () => {
    const fake = await fakeDynamoDb(() => ({ status: 502, body: "<html>Bad Gateway</html>" }));
    const error = await leanClient(fake.endpoint)
      .send("GetItem", {})
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "Http502Error", $fault: "server", statusCode: 502 });
    expect(fake.requests).toHaveLength(3);
  });

  it("carries the cancellation reasons of a cancelled transaction, without retrying it", async () => {
    const reasons = [{ Code: "ConditionalCheckFailed", Message: "no" }, { Code: "None" }];
    const fake = await fakeDynamoDb(() =>
      failure(400, "TransactionCanceledException", { CancellationReasons: reasons }),
    );
    const error = await leanClient(fake.endpoint)
      .send("TransactWriteItems", {})
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: "TransactionCanceledException",
      CancellationReasons: reasons,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("retries a transaction with the token of its first attempt, and gives the next one its own", async () => {
    // A 500 after the transaction committed: the retry must be the same idempotent request,
    // or it would fail the conditions its own first attempt changed.
    const fake = await fakeDynamoDb((_, index) =>
      index === 0 ? failure(500, "InternalServerError") : okay,
    );
    const documents = new DynamoDbDocuments(leanClient(fake.endpoint));
    const put = { Put: { TableName: "t", Item: { PK: "A", SK: "B" } } };

    await documents.transactWrite({ TransactItems: [put] });
    await documents.transactWrite({ TransactItems: [put] });

    const tokens = fake.requests.map(
      (request) => (JSON.parse(request.body) as { ClientRequestToken?: string }).ClientRequestToken,
    );
    expect(tokens).toHaveLength(3);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it("gives up with a TimeoutError within the request timeout when nothing answers", async () => {
    const fake = await fakeDynamoDb(() => "hang");
    const started = performance.now();
    const error = await leanClient(fake.endpoint, { requestTimeoutMs: 150, maxAttempts: 2 })
      .send("GetItem", {})
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "TimeoutError" });
    expect(fake.requests).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("retries a refused connection, then throws Node's error", async () => {
    const fake = await fakeDynamoDb();
    const endpoint = fake.endpoint;
    for (const close of servers.splice(0)) await close();
    let attempts = 0;
    const error = await leanClient(endpoint, { onRequest: () => attempts++ })
      .send("GetItem", {})
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "ECONNREFUSED" });
    expect(attempts).toBe(3);
  });
});

describe("DynamoDbClient configuration", () => {
  const fromChain = { accessKeyId: "CHAINKEY", secretAccessKey: "chain-secret" };

  it("signs with the environment's credentials and never loads the SDK's chain", async () => {
    const fake = await fakeDynamoDb();
    const loadCredentialChain = vi.fn(
      async (): Promise<CredentialProvider> => async () => fromChain,
    );
    const client = new DynamoDbClient({
      endpoint: fake.endpoint,
      loadCredentialChain,
      env: {
        AWS_REGION: "us-west-2",
        AWS_ACCESS_KEY_ID: "ENVKEY",
        AWS_SECRET_ACCESS_KEY: "env-secret",
        AWS_SESSION_TOKEN: "env-token",
      },
    });
    await client.send("GetItem", {});
    client.destroy();

    expect(loadCredentialChain).not.toHaveBeenCalled();
    const headers = fake.requests[0]?.headers ?? {};
    expect(headers.authorization).toContain("Credential=ENVKEY/");
    expect(headers.authorization).toContain("/us-west-2/dynamodb/aws4_request");
    expect(headers["x-amz-security-token"]).toBe("env-token");
  });

  it("loads the SDK's chain once, only without credentials in the environment", async () => {
    const fake = await fakeDynamoDb();
    const provider = vi.fn(async () => fromChain);
    const loadCredentialChain = vi.fn(async () => provider);
    const client = new DynamoDbClient({
      endpoint: fake.endpoint,
      loadCredentialChain,
      env: { AWS_DEFAULT_REGION: "eu-central-1" },
    });
    await client.send("GetItem", {});
    await client.send("GetItem", {});
    client.destroy();

    expect(loadCredentialChain).toHaveBeenCalledTimes(1);
    expect(provider).toHaveBeenCalledTimes(1);
    expect(fake.requests[1]?.headers.authorization).toContain(
      "Credential=CHAINKEY/20", // the date follows
    );
    expect(fake.requests[1]?.headers.authorization).toContain("/eu-central-1/dynamodb/");
    expect(fake.requests[1]?.headers["x-amz-security-token"]).toBeUndefined();
  });

  it("refuses to start without a region, naming the variable", () => {
    expect(() => new DynamoDbClient({ env: {} })).toThrow(/AWS_REGION/);
  });

  it("finds the region's endpoint, China's included", () => {
    expect(new DynamoDbClient({ env: { AWS_REGION: "eu-west-1" } }).endpoint.href).toBe(
      "https://dynamodb.eu-west-1.amazonaws.com/",
    );
    expect(defaultEndpoint("cn-north-1")).toBe("https://dynamodb.cn-north-1.amazonaws.com.cn");
  });
});
