import { randomUUID } from "node:crypto";
import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  ResourceNotFoundException,
  SignUpCommand,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCognitoRecipients } from "../../src/aws/cognito-recipients.js";
import { LOCAL_USER_POOL_ID } from "../../src/local/cognito-endpoint.js";
import type { DevServer } from "../../src/local/dev-server.js";
import { ALLOWED_ORIGIN, DEFAULT_PASSWORD, TEST_CLIENT_ID } from "../helpers/app.js";
import {
  LOCAL_CREDENTIALS,
  type LocalUserPool,
  startLocalUserPool,
} from "../helpers/local-user-pool.js";

// How the shop's functions find a customer's address in AWS (AdminGetUser by the user's sub),
// against the dev server's user pool: the AWS SDK's own client, and the shop's lean one.

let server: DevServer;
let cognito: CognitoIdentityProviderClient;
let pool: LocalUserPool;

beforeAll(async () => {
  pool = await startLocalUserPool();
  ({ server, cognito } = pool);
});

afterAll(async () => {
  await pool?.close();
});

/** A confirmed user of the local pool: their sub and address. */
async function registered(): Promise<{ sub: string; email: string }> {
  const email = `shopper-${randomUUID().slice(0, 8)}@example.com`;
  const { UserSub } = await cognito.send(
    new SignUpCommand({ ClientId: TEST_CLIENT_ID, Username: email, Password: DEFAULT_PASSWORD }),
  );
  await cognito.send(
    new ConfirmSignUpCommand({
      ClientId: TEST_CLIENT_ID,
      Username: email,
      ConfirmationCode: pool.codeFor(email),
    }),
  );
  return { sub: UserSub ?? "", email };
}

describe("AdminGetUser on the dev server's user pool", () => {
  it("answers the AWS SDK's client with the user's verified address, by sub", async () => {
    const { sub, email } = await registered();
    const answer = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: LOCAL_USER_POOL_ID, Username: sub }),
    );
    expect(answer).toMatchObject({ Username: sub, Enabled: true, UserStatus: "CONFIRMED" });
    expect(answer.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: "sub", Value: sub },
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ]),
    );
  });

  it("gives the shop's Cognito recipients the address, and none for an unknown user", async () => {
    const { sub, email } = await registered();
    const recipients = createCognitoRecipients({
      endpoint: `${server.url}/cognito`,
      region: "local",
      userPoolId: LOCAL_USER_POOL_ID,
      credentials: LOCAL_CREDENTIALS,
    });
    expect(await recipients.emailOf(sub)).toBe(email);
    expect(await recipients.emailOf(randomUUID())).toBeUndefined();
  });

  it("answers UserNotFoundException and ResourceNotFoundException as Cognito does", async () => {
    const unknown = await cognito
      .send(new AdminGetUserCommand({ UserPoolId: LOCAL_USER_POOL_ID, Username: randomUUID() }))
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(UserNotFoundException);
    const { sub } = await registered();
    const otherPool = await cognito
      .send(new AdminGetUserCommand({ UserPoolId: "eu-west-1_Other123", Username: sub }))
      .catch((e: unknown) => e);
    expect(otherPool).toBeInstanceOf(ResourceNotFoundException);
  });

  it("refuses an unsigned call and a page's call: it is an administrator's operation", async () => {
    const { sub } = await registered();
    const call = (headers: Record<string, string>) =>
      fetch(`${server.url}/cognito/`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminGetUser",
          ...headers,
        },
        body: JSON.stringify({ UserPoolId: LOCAL_USER_POOL_ID, Username: sub }),
      });
    const unsigned = await call({});
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    expect(await unsigned.text()).not.toContain("@example.com");

    const fromPage = await call({
      Origin: ALLOWED_ORIGIN,
      Authorization: "AWS4-HMAC-SHA256 Credential=local/20260101/local/cognito-idp/aws4_request",
    });
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    expect(await fromPage.text()).not.toContain("@example.com");
  });
});
