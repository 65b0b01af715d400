import * as z from "zod/mini";
import "../services/zod-messages.js";

// The request bodies of the Cognito user-pool operations the local endpoint answers, with the
// length limits of Cognito's API reference. Members the endpoint does not use (SecretHash,
// ClientMetadata, UserContextData, AnalyticsMetadata) are dropped, as Cognito would ignore
// them for a public client without triggers.

const clientId = z.string().check(z.minLength(1), z.maxLength(128));
const username = z.string().check(z.minLength(1), z.maxLength(128));

export const signUpRequest = z.object({
  ClientId: clientId,
  Username: username,
  // Cognito's pattern: no leading or trailing whitespace; the pool's policy checks the length.
  Password: z
    .string()
    .check(z.maxLength(256), z.regex(/^(?:\S|\S.*\S)$/s, "must not start or end with whitespace")),
  UserAttributes: z.optional(
    z.array(
      z.object({
        Name: z.string().check(z.minLength(1), z.maxLength(32)),
        Value: z.optional(z.string().check(z.maxLength(2048))),
      }),
    ),
  ),
});

export const confirmSignUpRequest = z.object({
  ClientId: clientId,
  Username: username,
  ConfirmationCode: z.string().check(z.minLength(1), z.maxLength(2048)),
});

export const initiateAuthRequest = z.object({
  AuthFlow: z.string().check(z.minLength(1), z.maxLength(64)),
  ClientId: clientId,
  AuthParameters: z.optional(z.record(z.string(), z.string())),
});

export const getUserRequest = z.object({
  AccessToken: z.string().check(z.minLength(1)),
});

export const adminGetUserRequest = z.object({
  // Cognito's pattern of a pool id: `<region>_<id>`.
  UserPoolId: z.string().check(z.maxLength(55), z.regex(/^[\w-]+_[0-9a-zA-Z]+$/)),
  Username: username,
});

/** A username that is an email address: the pool signs users in by email. */
export const emailUsername = z.string().check(z.maxLength(128), z.email());
