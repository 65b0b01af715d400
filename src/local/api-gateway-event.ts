import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyEvent } from "aws-lambda";
import type { PathMatch } from "../http/index.js";
import { createRequestIds } from "./request-ids.js";

export const LOCAL_STAGE = "local";
const nextRequestId = createRequestIds();
const TEXT_TYPES = /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|x-www-form-urlencoded))/i;

/** The request's target as sent (`splitTarget`). */
export interface RequestTarget {
  path: string;
  query: string | undefined;
}

/**
 * Turns a Node request into the API Gateway REST (v1 proxy) event the same request would
 * produce in AWS: resource template and path parameters as API Gateway matches them, header
 * names as the client spelled them, single- and multi-value headers and query parameters,
 * `requestContext` with a request id. `match` is the route template the path matched; a path no
 * route knows goes to a catch-all `/{proxy+}`.
 */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer | undefined,
  target: RequestTarget,
  match: PathMatch | undefined,
): APIGatewayProxyEvent {
  const { path, query: queryString } = target;
  const method = request.method ?? "GET";
  const resource = match?.resource ?? "/{proxy+}";
  const pathParameters = match === undefined ? { proxy: path.slice(1) } : match.params;

  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    headers[name] = value;
    const values = multiValueHeaders[name];
    if (values === undefined) multiValueHeaders[name] = [value];
    else values.push(value);
  }

  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  // Parsed only when there is a query: most requests have none.
  if (queryString !== undefined) {
    for (const [key, value] of new URLSearchParams(queryString)) {
      query ??= {};
      multiQuery ??= {};
      query[key] = value;
      const values = multiQuery[key];
      if (values === undefined) multiQuery[key] = [value];
      else values.push(value);
    }
  }

  const hasBody = body !== undefined && body.length > 0;
  const isText = hasBody && TEXT_TYPES.test(request.headers["content-type"] ?? "");
  const now = Date.now();
  const sourceIp = request.socket.remoteAddress ?? "127.0.0.1";

  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: hasKeys(pathParameters) ? pathParameters : null,
    stageVariables: null,
    body: hasBody ? body.toString(isText ? "utf8" : "base64") : null,
    isBase64Encoded: hasBody && !isText,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      authorizer: null,
      httpMethod: method,
      path: `/${LOCAL_STAGE}${path}`,
      protocol: request.httpVersion === "1.1" ? "HTTP/1.1" : `HTTP/${request.httpVersion}`,
      requestId: nextRequestId(),
      requestTimeEpoch: now,
      resourceId: "local",
      resourcePath: resource,
      stage: LOCAL_STAGE,
      identity: callerIdentity(sourceIp, request.headers["user-agent"] ?? null),
    },
  };
}

/** Whether an object has an own key, without the array `Object.keys` would make. */
function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

/** `requestContext.identity` of a request that no IAM or Cognito identity pool signed. */
export function callerIdentity(
  sourceIp: string,
  userAgent: string | null,
): APIGatewayProxyEvent["requestContext"]["identity"] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** API Gateway's `requestTime`: `24/Nov/2026:11:02:56 +0000`. */
export function requestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const day = `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${day}:${time} +0000`;
}
