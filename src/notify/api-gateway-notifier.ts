import {
  type AwsCredentials,
  AwsHttpClient,
  type HttpAnswer,
  isNetworkError,
  regionOf,
} from "../aws/aws-http.js";
import type { Clock, ConnectionDirectory, Logger, Notifier } from "../services/index.js";
import { createConnectionNotifier } from "./connection-notifier.js";

export interface ApiGatewayNotifierOptions {
  /** The WebSocket API's management endpoint: `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`. */
  endpoint: string;
  directory: ConnectionDirectory;
  clock: Clock;
  log: Logger;
  /** `AWS_REGION` (then `AWS_DEFAULT_REGION`) when omitted, as in Lambda. */
  region?: string;
  /** The environment's credentials (Lambda's), else the SDK's default chain, when omitted. */
  credentials?: AwsCredentials;
}

const GONE_STATUS = 410;
/** What the SDK's standard retry mode tries again, as status codes of this REST API. */
const RETRYABLE_STATUS_CODES = new Set([429, 500, 502, 503, 504]);

/** A refusal of the management API other than 410 Gone: `name` from `x-amzn-errortype`. */
class ManagementApiError extends Error {
  constructor(
    readonly statusCode: number,
    name: string,
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** `encodeURIComponent` plus the characters it leaves that a path segment must not carry. */
const pathSegment = (value: string): string =>
  encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

function outcomeOf({ statusCode, headers, text }: HttpAnswer): "sent" | "gone" {
  if (statusCode >= 200 && statusCode < 300) return "sent";
  if (statusCode === GONE_STATUS) return "gone";
  const type = String(headers["x-amzn-errortype"] ?? "").split(":")[0] || `Http${statusCode}Error`;
  let message = type;
  try {
    const body = JSON.parse(text) as { message?: unknown; Message?: unknown };
    message = String(body.message ?? body.Message ?? type);
  } catch {
    // Not JSON: the type says enough.
  }
  throw new ManagementApiError(statusCode, type, message);
}

const isRetryable = (error: unknown): boolean =>
  error instanceof ManagementApiError
    ? RETRYABLE_STATUS_CODES.has(error.statusCode)
    : isNetworkError(error);

/**
 * Posts each update to the user's connections through API Gateway's management API
 * (`POST /@connections/{id}`, signed for `execute-api`); a connection API Gateway answers 410 Gone
 * for is deleted from the store. Needs `execute-api:ManageConnections` on the WebSocket API.
 * Hand-written over `aws/aws-http.ts` like the DynamoDB client, for the same cold-start reason.
 */
export function createApiGatewayNotifier(options: ApiGatewayNotifierOptions): Notifier {
  const client = new AwsHttpClient(
    "execute-api",
    regionOf(options, "The API Gateway notifier"),
    options.endpoint,
    {
      ...options,
      // A notification is not worth holding an order's processing for long.
      maxAttempts: 2,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 3_000,
    },
  );
  return createConnectionNotifier({
    directory: options.directory,
    clock: options.clock,
    log: options.log,
    post: (connectionId, data) =>
      client.send(
        {
          path: `/@connections/${pathSegment(connectionId)}`,
          headers: { "content-type": "application/octet-stream" },
          body: data,
        },
        outcomeOf,
        isRetryable,
      ),
  });
}
