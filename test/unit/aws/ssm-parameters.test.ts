import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import {
  readSecureParameters,
  SecureParameterError,
  type SsmClientOptions,
  ssmEndpoint,
} from "../../../src/aws/ssm-parameters.js";
import {
  type CapturedRequest,
  EXAMPLE_CREDENTIALS as CREDENTIALS,
  exampleClientOptions,
  expectSignedLikeTheSdk,
  EXAMPLE_REGION as REGION,
} from "../../helpers/aws-signature.js";
import { awsStandInsPerTest, type StandInAnswer } from "../../helpers/aws-stand-in.js";

const SECRET_KEY_NAME = "/shop/stripe/secret-key";
const WEBHOOK_SECRET_NAME = "/shop/stripe/webhook-secret";
/** Values a test must never find in an error message. */
const STORED: Record<string, { Type: string; Value: string }> = {
  [SECRET_KEY_NAME]: { Type: "SecureString", Value: "sk_test_never_logged" },
  [WEBHOOK_SECRET_NAME]: { Type: "SecureString", Value: "whsec_never_logged" },
  "/shop/plain": { Type: "String", Value: "plain-value-never-logged" },
};

/** GetParameters as Systems Manager answers it, over what STORED holds. */
function answerFromStore(request: CapturedRequest): StandInAnswer {
  const { Names } = JSON.parse(request.body) as { Names: string[] };
  return {
    status: 200,
    body: {
      Parameters: Names.filter((name) => STORED[name] !== undefined).map((name) => ({
        Name: name,
        ...STORED[name],
        Version: 1,
        ARN: `arn:aws:ssm:${REGION}:123456789012:parameter${name}`,
      })),
      InvalidParameters: Names.filter((name) => STORED[name] === undefined),
    },
  };
}

const standIn = awsStandInsPerTest("application/x-amz-json-1.1");

const options = (endpoint: string, more: SsmClientOptions = {}): SsmClientOptions => ({
  ...exampleClientOptions(endpoint),
  ...more,
});

describe("readSecureParameters", () => {
  it("sends GetParameters as the AWS SDK does, signed alike", async () => {
    const fake = await standIn(answerFromStore);
    const sdk = new SSMClient(exampleClientOptions(fake.endpoint));
    try {
      await sdk.send(
        new GetParametersCommand({
          Names: [SECRET_KEY_NAME, WEBHOOK_SECRET_NAME],
          WithDecryption: true,
        }),
      );
    } finally {
      sdk.destroy();
    }

    await readSecureParameters([SECRET_KEY_NAME, WEBHOOK_SECRET_NAME], options(fake.endpoint));
    const signing = { service: "ssm", region: REGION, credentials: CREDENTIALS };
    const { fromSdk, own } = await expectSignedLikeTheSdk(fake, signing);
    expect(JSON.parse(own.body)).toStrictEqual(JSON.parse(fromSdk.body));
  });

  it("answers the decrypted values by name", async () => {
    const fake = await standIn(answerFromStore);
    expect(
      await readSecureParameters([SECRET_KEY_NAME, WEBHOOK_SECRET_NAME], options(fake.endpoint)),
    ).toStrictEqual({
      [SECRET_KEY_NAME]: "sk_test_never_logged",
      [WEBHOOK_SECRET_NAME]: "whsec_never_logged",
    });
    expect(JSON.parse(fake.requests[0]?.body ?? "")).toStrictEqual({
      Names: [SECRET_KEY_NAME, WEBHOOK_SECRET_NAME],
      WithDecryption: true,
    });
  });

  it("names a missing parameter and one that is not a SecureString, never a value", async () => {
    const fake = await standIn(answerFromStore);
    const error = await readSecureParameters(
      [SECRET_KEY_NAME, "/shop/missing", "/shop/plain"],
      options(fake.endpoint),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecureParameterError);
    const { message } = error as Error;
    expect(message).toContain(`/shop/missing does not exist in ${REGION}`);
    expect(message).toContain("/shop/plain is a String, not a SecureString");
    for (const { Value } of Object.values(STORED)) expect(message).not.toContain(Value);
  });

  it("says why the read failed, naming the parameters, and does not retry a refusal", async () => {
    const fake = await standIn(() => ({
      status: 400,
      body: {
        __type: "AccessDeniedException",
        message: "not authorized to perform: ssm:GetParameters",
      },
    }));
    const error = await readSecureParameters([SECRET_KEY_NAME], options(fake.endpoint)).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(SecureParameterError);
    expect((error as Error).message).toMatch(
      new RegExp(`${SECRET_KEY_NAME}.*AccessDeniedException: not authorized`),
    );
    expect(fake.requests).toHaveLength(1);
  });

  it("retries throttling and a 5xx, then answers", async () => {
    const fake = await standIn((request, index) =>
      index === 0
        ? { status: 400, body: { __type: "ThrottlingException", message: "Rate exceeded" } }
        : index === 1
          ? { status: 503, body: "<html>unavailable</html>" }
          : answerFromStore(request),
    );
    expect(await readSecureParameters([SECRET_KEY_NAME], options(fake.endpoint))).toStrictEqual({
      [SECRET_KEY_NAME]: "sk_test_never_logged",
    });
    expect(fake.requests).toHaveLength(3);
  });

  it("gives up within its timeout when nothing answers", async () => {
    const fake = await standIn(() => "hang");
    const error = await readSecureParameters(
      [SECRET_KEY_NAME],
      options(fake.endpoint, { requestTimeoutMs: 100, maxAttempts: 2 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecureParameterError);
    expect((error as Error).message).toContain("TimeoutError");
  });

  it("finds the region's endpoint, China's included", () => {
    expect(ssmEndpoint("eu-west-1")).toBe("https://ssm.eu-west-1.amazonaws.com");
    expect(ssmEndpoint("cn-north-1")).toBe("https://ssm.cn-north-1.amazonaws.com.cn");
  });
});
