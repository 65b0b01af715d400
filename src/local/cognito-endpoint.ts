import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type * as z from "zod/mini";
import type { App } from "../compose/index.js";
import { AppError } from "../domain/index.js";
import {
  type ApiHandler,
  type CorsConfig,
  header,
  isAllowedOrigin,
  NO_STORE,
  withCors,
} from "../http/index.js";
import {
  type AuthService,
  type Logger,
  type SessionTokens,
  type TokenVerifier,
  UserPoolError,
  type UserPoolRefusal,
} from "../services/index.js";
import {
  adminGetUserRequest,
  confirmSignUpRequest,
  emailUsername,
  getUserRequest,
  initiateAuthRequest,
  signUpRequest,
} from "./cognito-requests.js";

/** Where the dev server answers Cognito's user-pool API; the SDK posts to `/cognito/`. */
export const COGNITO_PATHS = ["/cognito", "/cognito/"] as const;

const CONTENT_TYPE = "application/x-amz-json-1.1";
const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";
/** What the AWS SDK sends with every call (X-Amz-User-Agent where a browser owns User-Agent). */
const ALLOWED_HEADERS =
  "Content-Type, X-Amz-Target, X-Amz-User-Agent, amz-sdk-invocation-id, amz-sdk-request";
const EXPOSED_HEADERS = "x-amzn-RequestId, x-amzn-ErrorType, Date";
const METHODS = "OPTIONS, POST";
const MAX_NAME_LENGTH = 60;

/**
 * The local pool's id, for the admin operation a function of the shop calls with IAM
 * credentials (AdminGetUser): `COGNITO_USER_POOL_ID` of a client pointed at the dev server.
 */
export const LOCAL_USER_POOL_ID = "local_devserver";

export interface CognitoEndpointOptions {
  /** The user-pool use cases: pending sign-ups, password sign-in, refresh, the profile. */
  auth: AuthService;
  /** The API's own access-token check, for GetUser. */
  verifier: TokenVerifier;
  /** The one app client of the local pool; any other ClientId is ResourceNotFoundException. */
  clientId: string;
  /** The API's allowed origins, so a page on another allowed origin can sign in too. */
  cors: CorsConfig;
  /** Where the confirmation codes go (the server's log): `confirmation code for <email>: <code>`. */
  printCode: (line: string) => void;
  /** Unexpected failures, logged with the request id and answered as InternalErrorException. */
  log: Logger;
}

/** A Cognito error answer: `__type` in the body and `x-amzn-ErrorType`, HTTP 400 unless said. */
class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

const invalidParameter = (message: string) =>
  new CognitoError("InvalidParameterException", message);

const REFUSALS: Record<UserPoolRefusal, string> = {
  INVALID_PASSWORD: "InvalidPasswordException",
  CODE_MISMATCH: "CodeMismatchException",
  CODE_EXPIRED: "ExpiredCodeException",
  ALREADY_CONFIRMED: "NotAuthorizedException",
  USER_NOT_CONFIRMED: "UserNotConfirmedException",
};

/**
 * The subset of Cognito's user-pool JSON API (`application/x-amz-json-1.1`, operation in
 * `X-Amz-Target`) the storefront signs in with, so the page has one sign-in code path locally
 * and in AWS: SignUp, ConfirmSignUp, InitiateAuth (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH) and
 * GetUser, with Cognito's answers and error types. The logic is the auth service's; this is the
 * wire protocol, and CORS by the API's own allowed origins.
 */
export function createCognitoEndpoint(options: CognitoEndpointOptions): ApiHandler {
  const { auth, verifier, clientId, cors, printCode, log } = options;

  const operations: Record<
    string,
    (body: unknown, event: APIGatewayProxyEvent) => Promise<object>
  > = {
    async SignUp(body) {
      const request = parse(signUpRequest, body);
      checkClient(request.ClientId);
      if (!emailUsername.safeParse(request.Username).success) {
        throw invalidParameter("Username should be an email.");
      }
      const name = nameOf(request.Username, request.UserAttributes ?? []);
      const pending = await auth.registerPending({
        email: request.Username,
        password: request.Password,
        name,
      });
      printCode(`confirmation code for ${pending.email}: ${pending.code}`);
      return {
        UserConfirmed: false,
        UserSub: pending.userSub,
        CodeDeliveryDetails: {
          Destination: maskEmail(pending.email),
          DeliveryMedium: "EMAIL",
          AttributeName: "email",
        },
      };
    },

    async ConfirmSignUp(body) {
      const request = parse(confirmSignUpRequest, body);
      checkClient(request.ClientId);
      await auth.confirm({ email: request.Username, code: request.ConfirmationCode });
      return {};
    },

    async InitiateAuth(body, event) {
      const request = parse(initiateAuthRequest, body);
      checkClient(request.ClientId);
      const parameters = request.AuthParameters ?? {};
      const required = (name: string): string => {
        const value = parameters[name];
        if (value === undefined || value === "") {
          throw invalidParameter(`Missing required parameter ${name}`);
        }
        return value;
      };
      let tokens: SessionTokens;
      switch (request.AuthFlow) {
        case "USER_PASSWORD_AUTH":
          tokens = await auth.passwordSignIn({
            email: required("USERNAME"),
            password: required("PASSWORD"),
            clientAddress: event.requestContext?.identity?.sourceIp ?? undefined,
          });
          break;
        case "REFRESH_TOKEN_AUTH":
        case "REFRESH_TOKEN":
          tokens = await auth.refresh(required("REFRESH_TOKEN"));
          break;
        default:
          throw invalidParameter(
            "The local user pool answers the USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH flows only.",
          );
      }
      return {
        AuthenticationResult: {
          AccessToken: tokens.accessToken,
          ExpiresIn: tokens.expiresIn,
          IdToken: tokens.idToken,
          ...(tokens.refreshToken === undefined ? {} : { RefreshToken: tokens.refreshToken }),
          TokenType: tokens.tokenType,
        },
        ChallengeParameters: {},
      };
    },

    async GetUser(body) {
      const request = parse(getUserRequest, body);
      const caller = await verifier.verify(request.AccessToken).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "UNAUTHENTICATED") {
          throw new CognitoError("NotAuthorizedException", "Invalid Access Token");
        }
        throw error;
      });
      const user = await auth.getUser(caller.userId);
      return {
        Username: user.sub,
        UserAttributes: userAttributes(user),
      };
    },

    /**
     * What the shop's functions read a customer's address with in AWS (aws/cognito-recipients.ts):
     * the user by `sub`, with the address the account has now. An admin operation: Cognito wants
     * a SigV4-signed request. The local pool has no IAM to check the signature against, so it
     * asks for one to be there (any credentials) and refuses a browser's call outright.
     */
    async AdminGetUser(body, event) {
      if (header(event, "origin") !== undefined) {
        throw new CognitoError(
          "AccessDeniedException",
          "AdminGetUser is an administrator's operation, not a page's.",
          403,
        );
      }
      if (!(header(event, "authorization") ?? "").startsWith("AWS4-HMAC-SHA256 ")) {
        throw new CognitoError(
          "MissingAuthenticationTokenException",
          "AdminGetUser needs a request signed with IAM credentials (SigV4).",
          403,
        );
      }
      const request = parse(adminGetUserRequest, body);
      if (request.UserPoolId !== LOCAL_USER_POOL_ID) {
        throw new CognitoError(
          "ResourceNotFoundException",
          `User pool ${request.UserPoolId} does not exist.`,
        );
      }
      const user = await auth.getUser(request.Username);
      return {
        Username: user.sub,
        UserAttributes: userAttributes(user),
        Enabled: true,
        UserStatus: "CONFIRMED",
      };
    },
  };

  function checkClient(id: string): void {
    if (id !== clientId) {
      throw new CognitoError("ResourceNotFoundException", `User pool client ${id} does not exist.`);
    }
  }

  async function answer(event: APIGatewayProxyEvent, requestId: string) {
    const origin = header(event, "origin");
    if (event.httpMethod === "OPTIONS") return preflight(origin);
    if (event.httpMethod !== "POST") {
      throw new CognitoError("InvalidAction", "Send operations with POST.", 405);
    }
    const target = header(event, "x-amz-target") ?? "";
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (operation === undefined) {
      throw new CognitoError(
        "InvalidAction",
        `The action in X-Amz-Target is not valid here: the local user pool answers ${Object.keys(
          operations,
        )
          .map((op) => TARGET_PREFIX + op)
          .join(", ")}.`,
      );
    }
    const contentType = header(event, "content-type") ?? "";
    if (contentType.split(";")[0]?.trim().toLowerCase() !== CONTENT_TYPE) {
      throw invalidParameter(`Send the body as ${CONTENT_TYPE}.`);
    }
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64").toString("utf8")
      : (event.body ?? "");
    let body: unknown;
    try {
      body = JSON.parse(text === "" ? "{}" : text);
    } catch {
      throw new CognitoError("SerializationException", "The body is not valid JSON.");
    }
    return json(200, await operation(body, event), requestId);
  }

  function preflight(origin: string | undefined): APIGatewayProxyResult {
    if (origin !== undefined && !isAllowedOrigin(cors, origin)) {
      throw new CognitoError("ForbiddenException", "This origin may not call the user pool.", 403);
    }
    const headers: Record<string, string> = { Allow: METHODS };
    if (origin !== undefined) {
      headers["Access-Control-Allow-Methods"] = METHODS;
      headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS;
      headers["Access-Control-Max-Age"] = String(cors.maxAgeSeconds);
    }
    return { statusCode: 204, headers, body: "" };
  }

  function failure(error: unknown, requestId: string): APIGatewayProxyResult {
    const known = cognitoErrorOf(error);
    if (known === undefined) {
      const failed = error instanceof Error ? error : new Error(String(error));
      log({
        level: "error",
        message: failed.message,
        requestId,
        ...(failed.stack === undefined ? {} : { stack: failed.stack }),
      });
    }
    const { type, message, statusCode } =
      known ?? new CognitoError("InternalErrorException", "An internal error occurred.", 500);
    const result = json(statusCode, { __type: type, message }, requestId);
    if (result.headers !== undefined) {
      result.headers["x-amzn-ErrorType"] = type;
      if (statusCode === 405) result.headers.Allow = METHODS;
    }
    return result;
  }

  return async (event, context) => {
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? "local";
    let result: APIGatewayProxyResult;
    try {
      result = await answer(event, requestId);
    } catch (error) {
      result = failure(error, requestId);
    }
    return withCors(result, cors, header(event, "origin"), EXPOSED_HEADERS);
  };
}

/**
 * The dev server's exact paths for an app on the local issuer: the endpoint at each of
 * `COGNITO_PATHS`. None for an app on Cognito, where the page talks to the real user pool.
 */
export function localUserPoolPaths(
  app: App,
  printCode: (line: string) => void,
): ReadonlyMap<string, ApiHandler> | undefined {
  const auth = app.config.auth;
  if (auth.mode !== "local") return undefined;
  const endpoint = createCognitoEndpoint({
    auth: app.services.auth,
    verifier: app.verifier,
    clientId: auth.clientId,
    cors: app.cors,
    printCode,
    log: app.log,
  });
  return new Map(COGNITO_PATHS.map((path) => [path, endpoint]));
}

function json(statusCode: number, body: object, requestId: string): APIGatewayProxyResult {
  return {
    statusCode,
    // Tokens, a user's profile, or why they were refused: nothing a cache may keep.
    headers: {
      "Content-Type": CONTENT_TYPE,
      "x-amzn-RequestId": requestId,
      "Cache-Control": NO_STORE,
      "X-Content-Type-Options": "nosniff",
    },
    body: JSON.stringify(body),
  };
}

/** Cognito's error for what the service refused; undefined for a failure nobody expected. */
function cognitoErrorOf(error: unknown): CognitoError | undefined {
  if (error instanceof CognitoError) return error;
  if (error instanceof UserPoolError) return new CognitoError(REFUSALS[error.code], error.message);
  if (!(error instanceof AppError)) return undefined;
  switch (error.code) {
    case "EMAIL_TAKEN":
      return new CognitoError("UsernameExistsException", "User already exists");
    case "UNAUTHENTICATED":
      return new CognitoError("NotAuthorizedException", error.message);
    case "NOT_FOUND":
      return new CognitoError("UserNotFoundException", error.message);
    case "TOO_MANY_REQUESTS":
      return new CognitoError("TooManyRequestsException", error.message);
    case "VALIDATION_FAILED":
      return invalidParameter(error.message);
    case "STORE_UNAVAILABLE":
      return new CognitoError(
        "InternalErrorException",
        "The user store is unavailable; retry.",
        500,
      );
    default:
      return undefined;
  }
}

/** A user's attributes as the pool answers GetUser and AdminGetUser: every address is confirmed. */
const userAttributes = (user: { sub: string; name: string; email: string }) => [
  { Name: "sub", Value: user.sub },
  { Name: "email_verified", Value: "true" },
  { Name: "name", Value: user.name },
  { Name: "email", Value: user.email },
];

/** The body as `schema` reads it; Cognito's validation message naming the first bad member. */
function parse<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map((key) => (typeof key === "number" ? `[${key}]` : String(key)));
  const member = path?.join(".").replaceAll(".[", "[") || "the body";
  throw invalidParameter(
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${issue?.message ?? "invalid"}`,
  );
}

/** The display name of the `name` attribute; the email must be the username's, if given. */
function nameOf(
  username: string,
  attributes: readonly { Name: string; Value?: string | undefined }[],
): string | undefined {
  let name: string | undefined;
  for (const attribute of attributes) {
    const value = attribute.Value ?? "";
    if (attribute.Name === "name") {
      name = value.trim();
      if (name === "" || name.length > MAX_NAME_LENGTH) {
        throw invalidParameter(`name must be 1 to ${MAX_NAME_LENGTH} characters.`);
      }
    } else if (attribute.Name === "email") {
      if (value.trim().toLowerCase() !== username.trim().toLowerCase()) {
        throw invalidParameter("The email attribute must be the username.");
      }
    } else {
      throw invalidParameter(
        `Attributes did not conform to the schema: ${attribute.Name}: Attribute does not exist in the schema.`,
      );
    }
  }
  return name;
}

/** How Cognito shows where the code went: `a***@e***`. */
function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}
