import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { describe, expect, it } from "vitest";
import {
  type CognitoRecipientsOptions,
  cognitoEndpoint,
  createCognitoRecipients,
} from "../../../src/aws/cognito-recipients.js";
import type { AppError } from "../../../src/domain/index.js";
import {
  EXAMPLE_CREDENTIALS as CREDENTIALS,
  exampleClientOptions,
  expectSignedLikeTheSdk,
  EXAMPLE_REGION as REGION,
} from "../../helpers/aws-signature.js";
import { awsStandInsPerTest, type StandInAnswer } from "../../helpers/aws-stand-in.js";

const POOL = "eu-west-1_AbCdEf123";
const SUB = "4320de44-2322-4620-999b-5e2e1c8df013";
const SIGNING = { service: "cognito-idp", region: REGION, credentials: CREDENTIALS };

/** AdminGetUser's answer for a user of `email`, verified or not. */
const user = (email: string, verified = "true"): StandInAnswer => ({
  status: 200,
  body: {
    Username: SUB,
    Enabled: true,
    UserStatus: "CONFIRMED",
    UserAttributes: [
      { Name: "sub", Value: SUB },
      { Name: "email_verified", Value: verified },
      { Name: "email", Value: email },
    ],
  },
});
const refusal = (status: number, type: string): StandInAnswer => ({
  status,
  body: { __type: type, message: `${type} text` },
});

const fakeCognito = awsStandInsPerTest("application/x-amz-json-1.1");

const recipients = (endpoint: string, more: Partial<CognitoRecipientsOptions> = {}) =>
  createCognitoRecipients({ ...exampleClientOptions(endpoint), userPoolId: POOL, ...more });

describe("the Cognito recipients' request", () => {
  it("is AdminGetUser by the user's sub, exactly as the AWS SDK sends it, signed alike", async () => {
    const fake = await fakeCognito(() => user("ada@customer.example"));
    const sdk = new CognitoIdentityProviderClient(exampleClientOptions(fake.endpoint));
    try {
      await sdk.send(new AdminGetUserCommand({ UserPoolId: POOL, Username: SUB }));
    } finally {
      sdk.destroy();
    }

    expect(await recipients(fake.endpoint).emailOf(SUB)).toBe("ada@customer.example");
    const { fromSdk, own } = await expectSignedLikeTheSdk(fake, SIGNING);
    expect(own.body).toBe(fromSdk.body);
    expect(own.headers["x-amz-target"]).toBe("AWSCognitoIdentityProviderService.AdminGetUser");
  });

  it("finds the region's endpoint, China's included", () => {
    expect(cognitoEndpoint("eu-west-1")).toBe("https://cognito-idp.eu-west-1.amazonaws.com");
    expect(cognitoEndpoint("cn-north-1")).toBe("https://cognito-idp.cn-north-1.amazonaws.com.cn");
  });
});

describe("the Cognito recipients' answers", () => {
  it("reads the address at every call: a changed address is the next one answered", async () => {
    const fake = await fakeCognito((_, index) =>
      user(index === 0 ? "ada@old.example" : "ada@new.example"),
    );
    const pool = recipients(fake.endpoint);
    expect(await pool.emailOf(SUB)).toBe("ada@old.example");
    expect(await pool.emailOf(SUB)).toBe("ada@new.example");
    expect(fake.requests).toHaveLength(2);
  });

  it("answers no address for one not verified, and for a user the pool no longer has", async () => {
    const unverified = await fakeCognito(() => user("ada@unconfirmed.example", "false"));
    expect(await recipients(unverified.endpoint).emailOf(SUB)).toBeUndefined();
    const gone = await fakeCognito(() => refusal(400, "UserNotFoundException"));
    expect(await recipients(gone.endpoint).emailOf(SUB)).toBeUndefined();
    expect(gone.requests).toHaveLength(1);
  });

  it("retries throttling, then answers MAIL_UNAVAILABLE without the pool's words", async () => {
    const fake = await fakeCognito(() => refusal(400, "TooManyRequestsException"));
    const error = (await recipients(fake.endpoint)
      .emailOf(SUB)
      .catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe("MAIL_UNAVAILABLE");
    expect(error.message).not.toContain("TooManyRequestsException text");
    expect(fake.requests).toHaveLength(3);
  });

  it("answers MAIL_UNAVAILABLE, once, for a role that may not read the pool", async () => {
    const fake = await fakeCognito(() => refusal(400, "AccessDeniedException"));
    const error = (await recipients(fake.endpoint)
      .emailOf(SUB)
      .catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe("MAIL_UNAVAILABLE");
    expect(fake.requests).toHaveLength(1);
  });

  it("answers MAIL_UNAVAILABLE when nothing answers", async () => {
    const fake = await fakeCognito(() => "hang");
    const error = (await recipients(fake.endpoint, { requestTimeoutMs: 100, maxAttempts: 2 })
      .emailOf(SUB)
      .catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe("MAIL_UNAVAILABLE");
    expect(fake.requests).toHaveLength(2);
  });
});
