// Cognito's user-pool JSON API over plain fetch: the handful of calls the page makes do not
// justify an SDK in a 50 KB budget. The same calls reach the dev server's local endpoint.

export class CognitoError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.name = "CognitoError";
    this.type = type;
  }
}

export interface AuthenticationResult {
  AccessToken: string;
  IdToken?: string;
  RefreshToken?: string;
  ExpiresIn: number;
  TokenType?: string;
}

interface CognitoSetup {
  endpoint: string;
  clientId: string;
}

let setup: CognitoSetup | undefined;

export function configureCognito(value: CognitoSetup): void {
  setup = value;
}

function settings(): CognitoSetup {
  if (setup === undefined) throw new Error("sign-in is not configured");
  return setup;
}

async function call<T>(operation: string, body: Record<string, unknown>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(settings().endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new CognitoError("NetworkError", "The sign-in service could not be reached.");
  }
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = await response.json();
    if (typeof value === "object" && value !== null) parsed = value as Record<string, unknown>;
  } catch {}
  if (!response.ok) {
    // "__type" may carry a namespace prefix ("com.amazonaws...#NotAuthorizedException").
    const raw = parsed.__type ?? response.headers.get("x-amzn-ErrorType") ?? "UnknownError";
    const type = String(raw).split("#").pop()?.split(":")[0] ?? "UnknownError";
    const message = typeof parsed.message === "string" ? parsed.message : `HTTP ${response.status}`;
    throw new CognitoError(type, message);
  }
  return parsed as T;
}

export async function signUp(email: string, password: string, name: string): Promise<void> {
  await call("SignUp", {
    ClientId: settings().clientId,
    Username: email,
    Password: password,
    UserAttributes: [
      { Name: "email", Value: email },
      { Name: "name", Value: name },
    ],
  });
}

export async function confirmSignUp(email: string, code: string): Promise<void> {
  await call("ConfirmSignUp", {
    ClientId: settings().clientId,
    Username: email,
    ConfirmationCode: code,
  });
}

async function initiateAuth(
  flow: string,
  parameters: Record<string, string>,
): Promise<AuthenticationResult> {
  const answer = await call<{ AuthenticationResult?: AuthenticationResult }>("InitiateAuth", {
    AuthFlow: flow,
    ClientId: settings().clientId,
    AuthParameters: parameters,
  });
  // A challenge (a new password, MFA) is not something this shop's pool asks for.
  if (answer.AuthenticationResult === undefined) {
    throw new CognitoError(
      "ChallengeNotSupported",
      "This account needs a sign-in step the shop does not offer.",
    );
  }
  return answer.AuthenticationResult;
}

export const passwordAuth = (email: string, password: string) =>
  initiateAuth("USER_PASSWORD_AUTH", { USERNAME: email, PASSWORD: password });

export const refreshAuth = (refreshToken: string) =>
  initiateAuth("REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: refreshToken });

export async function getUser(accessToken: string): Promise<Record<string, string>> {
  const answer = await call<{
    Username?: string;
    UserAttributes?: { Name: string; Value: string }[];
  }>("GetUser", { AccessToken: accessToken });
  const attributes: Record<string, string> = {};
  for (const attribute of answer.UserAttributes ?? []) attributes[attribute.Name] = attribute.Value;
  if (answer.Username !== undefined) attributes.username ??= answer.Username;
  return attributes;
}

const FRIENDLY: Record<string, string> = {
  NotAuthorizedException: "Incorrect email or password.",
  UserNotFoundException: "Incorrect email or password.",
  UsernameExistsException: "An account with this email already exists. Sign in instead.",
  CodeMismatchException: "That code is not the one we sent. Check it and try again.",
  ExpiredCodeException: "That code has expired. Sign up again to get a new one.",
  InvalidPasswordException: "",
  InvalidParameterException: "",
  TooManyRequestsException: "Too many attempts. Wait a minute and try again.",
};

/** The sentence to show for a refusal: ours for the common ones, Cognito's message otherwise. */
export function describeCognitoError(error: unknown): string {
  if (!(error instanceof CognitoError)) {
    return error instanceof Error ? error.message : "Something went wrong.";
  }
  const friendly = FRIENDLY[error.type];
  return friendly === undefined || friendly === "" ? error.message : friendly;
}
