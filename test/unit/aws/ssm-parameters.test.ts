import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  readSecureParameters,
  SecureParameterError,
  type SsmClientOptions,
  ssmEndpoint,
} from "../../../src/aws/ssm-parameters.js";
import { stripeSecretsFrom } from "../../../src/compose/stripe-secrets.js";
import { type CapturedRequest, resign, signedHeadersOf } from "../../helpers/aws-signature.js";
import { type StandInAnswer, startAwsStandIn } from "../../helpers/aws-stand-in.js";

const REGION = "eu-west-1";
const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token-example",
};
const SECRET_KEY_NAME = "/shop/stripe/secret-key";
const WEBHOOK_SECRET_NAME = "/shop/stripe/webhook-secret";
/** Values a test must never find in an error message. */
const STORED: Record<string, { Type: string; Value: string }> = {
  [SECRET_KEY_NAME]: { Type: "SecureString", Value: "sk_test_never_logged" },
  [WEBHOOK_SECRET_NAME]: { Type: "SecureString", Value: "whsec_never_logged" },
  "/shop/plain": { Type: "String", Value: "plain-value-never-logged" },
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

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

async function standIn(answer: (request: CapturedRequest, index: number) => StandInAnswer) {
  const fake = await startAwsStandIn("application/x-amz-json-1.1", answer);
  closers.push(fake.close);
  return fake;
}

const options = (endpoint: string, more: SsmClientOptions = {}): SsmClientOptions => ({
  endpoint,
  region: REGION,
  credentials: CREDENTIALS,
  ...more,
});

describe("readSecureParameters", () => {
  it("sends GetParameters as the AWS SDK does, signed alike", async () => {
    const fake = await standIn(answerFromStore);
    const sdk = new SSMClient({
      endpoint: fake.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
    });
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
    const [fromSdk] = fake.requests;
    if (fromSdk === undefined) throw new Error("the SDK sent nothing");
    const signing = { service: "ssm", region: REGION, credentials: CREDENTIALS };
    expect(await resign(fromSdk, fake.port, signing)).toBe(fromSdk.headers.authorization);

    await readSecureParameters([SECRET_KEY_NAME, WEBHOOK_SECRET_NAME], options(fake.endpoint));
    const own = fake.requests[1];
    if (own === undefined) throw new Error("the lean client sent nothing");
    expect(own.method).toBe("POST");
    expect(own.path).toBe(fromSdk.path);
    expect(JSON.parse(own.body)).toStrictEqual(JSON.parse(fromSdk.body));
    for (const name of ["content-type", "x-amz-target", "x-amz-security-token", "host"]) {
      expect(own.headers[name], name).toBe(fromSdk.headers[name]);
    }
    expect(signedHeadersOf(own.headers.authorization)).toBe(
      signedHeadersOf(fromSdk.headers.authorization),
    );
    expect(await resign(own, fake.port, signing)).toBe(own.headers.authorization);
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

describe("stripeSecretsFrom", () => {
  const inAws = {
    PAYMENT_PROVIDER: "stripe",
    STRIPE_SECRET_KEY_PARAMETER: SECRET_KEY_NAME,
    STRIPE_WEBHOOK_SECRET_PARAMETER: WEBHOOK_SECRET_NAME,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  };

  it("has nothing to read for the demo provider", () => {
    expect(stripeSecretsFrom({})).toBeUndefined();
    expect(stripeSecretsFrom({ PAYMENT_PROVIDER: "demo", STRIPE_SECRET_KEY: "x" })).toBeUndefined();
  });

  it("reads both parameters once per process, at the first call", async () => {
    const fake = await standIn(answerFromStore);
    const secrets = stripeSecretsFrom(inAws, { endpoint: fake.endpoint });
    expect(fake.requests).toHaveLength(0);

    const [first, second] = await Promise.all([secrets?.(), secrets?.()]);
    expect(first).toStrictEqual({
      secretKey: "sk_test_never_logged",
      webhookSecret: "whsec_never_logged",
    });
    expect(second).toBe(first);
    expect(await secrets?.()).toBe(first);
    expect(fake.requests).toHaveLength(1);
  });

  it("tries again after a failed read instead of keeping the failure", async () => {
    const read = vi
      .fn()
      .mockRejectedValueOnce(new SecureParameterError("down"))
      .mockResolvedValueOnce({ [SECRET_KEY_NAME]: "sk", [WEBHOOK_SECRET_NAME]: "wh" });
    const secrets = stripeSecretsFrom(inAws, {}, read);

    await expect(secrets?.()).rejects.toThrow("down");
    expect(await secrets?.()).toStrictEqual({ secretKey: "sk", webhookSecret: "wh" });
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("takes the plain variables locally, and reads nothing", async () => {
    const read = vi.fn();
    const secrets = stripeSecretsFrom(
      { PAYMENT_PROVIDER: "stripe", STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "wh_1" },
      {},
      read,
    );
    expect(await secrets?.()).toStrictEqual({ secretKey: "sk_test_1", webhookSecret: "wh_1" });
    expect(read).not.toHaveBeenCalled();
  });

  it("refuses a half-given pair at once, naming what is missing and no value", () => {
    expect(() =>
      stripeSecretsFrom({ PAYMENT_PROVIDER: "stripe", STRIPE_SECRET_KEY: "sk_test_secret" }),
    ).toThrow(/^invalid configuration: STRIPE_WEBHOOK_SECRET: PAYMENT_PROVIDER=stripe needs/);
    expect(() =>
      stripeSecretsFrom({ PAYMENT_PROVIDER: "stripe", STRIPE_SECRET_KEY_PARAMETER: "/a" }),
    ).toThrow(/^invalid configuration: STRIPE_WEBHOOK_SECRET_PARAMETER: /);
    expect(() =>
      stripeSecretsFrom({ PAYMENT_PROVIDER: "stripe", STRIPE_SECRET_KEY: "sk_test_secret" }),
    ).not.toThrow(/sk_test_secret/);
  });
});
