// Where a customer's e-mails go in AWS: the address the Cognito user pool holds for them, read
// with `AdminGetUser` at every send (JSON 1.1, `POST /` with `X-Amz-Target`) over the lean
// transport of `aws-http.ts`. An access token carries no address, and the shop keeps no copy of
// it, so a customer who changes their address in the pool gets the next e-mail at the new one.
import { mailUnavailable } from "../domain/index.js";
import type { Recipients } from "../services/index.js";
import { type AwsClientOptions, AwsHttpClient, regionOf } from "./aws-http.js";
import {
  AwsServiceError,
  isRetryableRead,
  readJsonAnswer,
  regionalEndpoint,
} from "./json-protocol.js";

export interface CognitoRecipientsOptions extends AwsClientOptions {
  userPoolId: string;
  /** A stand-in's (or the dev server's) URL; `https://cognito-idp.<region>.amazonaws.com` when omitted. */
  endpoint?: string | undefined;
}

/** A refusal of the user pool, named after its `__type` (`UserNotFoundException`). */
export class CognitoServiceError extends AwsServiceError {}

const TARGET = "AWSCognitoIdentityProviderService.AdminGetUser";
const CONTENT_TYPE = "application/x-amz-json-1.1";

/** The region's public endpoint of the user-pool API. */
export const cognitoEndpoint = (region: string): string => regionalEndpoint("cognito-idp", region);

/** AdminGetUser's answer, as far as it is read here. */
interface AdminGetUserAnswer {
  UserAttributes?: { Name?: string; Value?: string }[];
}

/**
 * Recipients from a Cognito user pool whose users sign in with their e-mail: `emailOf(userId)`
 * asks the pool for the user whose `sub` is `userId` (AdminGetUser takes the `sub` as its
 * Username in such a pool) and answers their `email` when `email_verified` is `"true"`;
 * undefined for a user the pool no longer has, or one without a confirmed address.
 * MAIL_UNAVAILABLE when the pool could not answer (throttled, unreachable, the role refused):
 * the outbox tries the message again later. Needs `cognito-idp:AdminGetUser` on the pool.
 */
export function createCognitoRecipients(options: CognitoRecipientsOptions): Recipients {
  const region = regionOf(options, "The Cognito recipients");
  const client = new AwsHttpClient(
    "cognito-idp",
    region,
    options.endpoint ?? cognitoEndpoint(region),
    options,
  );
  return {
    async emailOf(userId) {
      let answer: AdminGetUserAnswer;
      try {
        answer = await client.send(
          {
            path: "/",
            headers: { "content-type": CONTENT_TYPE, "x-amz-target": TARGET },
            body: JSON.stringify({ UserPoolId: options.userPoolId, Username: userId }),
          },
          (answer) => readJsonAnswer<AdminGetUserAnswer>(answer, CognitoServiceError),
          isRetryableRead,
        );
      } catch (error) {
        if (error instanceof CognitoServiceError && error.name === "UserNotFoundException") {
          return undefined;
        }
        throw mailUnavailable(error);
      }
      const attributes = new Map(
        (answer.UserAttributes ?? []).map(({ Name, Value }) => [Name, Value]),
      );
      const email = attributes.get("email");
      return attributes.get("email_verified") === "true" && email !== undefined && email !== ""
        ? email
        : undefined;
    },
  };
}
