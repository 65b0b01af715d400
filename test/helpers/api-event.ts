import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { callerIdentity, requestTime } from "../../src/local/api-gateway-event.js";

export const TEST_STAGE = "prod";

export interface ApiEventOptions {
  method: string;
  /** The API Gateway resource template, e.g. `/products/{id}` or `/{proxy+}`. */
  resource: string;
  /** Defaults to `resource` with `pathParameters` substituted; required for `/{proxy+}`. */
  path?: string;
  /** Defaults to the values `path` holds at the resource's `{name}` segments. */
  pathParameters?: Record<string, string>;
  /**
   * An object is sent JSON-stringified, a string as it is; either way with
   * `Content-Type: application/json` unless `headers` set one (or remove it with `undefined`).
   */
  body?: string | object;
  /** Header names as the client spells them; `undefined` removes a default header. */
  headers?: Record<string, string | undefined>;
  /** Sent as `Authorization: Bearer <token>` unless `headers` has an Authorization. */
  token?: string;
  origin?: string;
  query?: Record<string, string | string[]>;
  /** Sends the body base64-encoded, as API Gateway does for binary media types. */
  isBase64Encoded?: boolean;
  /** The client's address (`requestContext.identity.sourceIp`); one fixed address by default. */
  sourceIp?: string;
}

/**
 * A REST API (v1 proxy integration) event as API Gateway hands it to Lambda: client-cased header
 * names in both `headers` and `multiValueHeaders`, `null` for absent parameters, and a
 * `requestContext` with the request id, stage and caller identity.
 */
export function apiEvent(options: ApiEventOptions): APIGatewayProxyEvent {
  const { method, resource } = options;
  const pathParameters =
    options.pathParameters ??
    (options.path === undefined ? {} : parametersOf(resource, options.path));
  const path = options.path ?? substitute(resource, pathParameters);

  let body: string | null = null;
  const defaults: Record<string, string> = {
    Accept: "application/json",
    Host: "abc123.execute-api.eu-west-1.amazonaws.com",
    "User-Agent": "vitest/4 (handler tests)",
    "X-Amzn-Trace-Id": traceId(),
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https",
  };
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    defaults["Content-Type"] = "application/json";
  }
  if (options.token !== undefined) defaults.Authorization = `Bearer ${options.token}`;
  if (options.origin !== undefined) defaults.Origin = options.origin;

  // The caller's headers win over defaults whatever the case they are spelled in.
  const given = options.headers ?? {};
  const givenLower = new Set(Object.keys(given).map((name) => name.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(defaults)) {
    if (!givenLower.has(name.toLowerCase())) headers[name] = value;
  }
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined) headers[name] = value;
  }
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];

  let query: Record<string, string> | null = null;
  let multiQuery: Record<string, string[]> | null = null;
  for (const [name, value] of Object.entries(options.query ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    query ??= {};
    multiQuery ??= {};
    // API Gateway keeps the last value of a repeated parameter in the single-value map.
    const last = values.at(-1);
    if (last !== undefined) query[name] = last;
    multiQuery[name] = values;
  }

  const isBase64Encoded = options.isBase64Encoded === true && body !== null;
  if (isBase64Encoded && body !== null) body = Buffer.from(body, "utf8").toString("base64");

  const now = new Date();
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: Object.keys(pathParameters).length === 0 ? null : pathParameters,
    stageVariables: null,
    body,
    isBase64Encoded,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      authorizer: undefined,
      domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
      domainPrefix: "abc123",
      extendedRequestId: `${randomUUID().slice(0, 8)}=`,
      httpMethod: method,
      path: `/${TEST_STAGE}${path}`,
      protocol: "HTTP/1.1",
      requestId: randomUUID(),
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: "a1b2c3",
      resourcePath: resource,
      stage: TEST_STAGE,
      identity: callerIdentity(options.sourceIp ?? "203.0.113.7", headers["User-Agent"] ?? null),
    },
  };
}

function segments(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

function substitute(resource: string, params: Record<string, string>): string {
  return resource.replace(/\{([^}+]+)(\+?)\}/g, (_whole, name: string, greedy: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`apiEvent: no value for {${name}} in ${resource}`);
    return greedy === "+"
      ? value.split("/").map(encodeURIComponent).join("/")
      : encodeURIComponent(value);
  });
}

/** What API Gateway puts in `pathParameters` for `path` on `resource` (values decoded). */
function parametersOf(resource: string, path: string): Record<string, string> {
  const template = segments(resource);
  const parts = segments(path);
  const params: Record<string, string> = {};
  template.forEach((segment, index) => {
    const match = /^\{([^}+]+)(\+?)\}$/.exec(segment);
    if (match?.[1] === undefined) return;
    const value = match[2] === "+" ? parts.slice(index).join("/") : (parts[index] ?? "");
    params[match[1]] = decodeURIComponent(value);
  });
  return params;
}

/** An X-Ray trace header: `Root=1-<epoch seconds in hex>-<24 hex digits>`. */
function traceId(): string {
  const epochHex = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epochHex}-${randomUUID().replaceAll("-", "").slice(0, 24)}`;
}
