// A hand-written DynamoDB client, because of cold start: every Lambda function of the store talks
// to DynamoDB, and loading a general-purpose client was most of each cold start. BENCHMARKS.md
// ("Cold start of every function", and "The store's own DynamoDB client") has the measurements
// and their command. This file and `src/aws/aws-http.ts` (signing, sockets, timeouts, retries)
// are that way.
//
// What it does: DynamoDB's JSON 1.0 protocol (`POST /`, `X-Amz-Target`), SigV4 signing with the
// SDK's signer, credentials from the options or the environment (what Lambda provides), else the
// SDK's full provider chain loaded on demand; keep-alive sockets, a connection and a request
// timeout, and the SDK's standard-mode retries (3 attempts, full-jitter backoff) on network
// errors, timeouts, 5xx and throttling. What it deliberately does not do: the SDK's client-side
// retry quota (token bucket) and its longer 500 ms backoff base for throttling, adaptive rate
// limiting, clock-skew correction, CRC32 checks of responses, endpoint discovery, FIPS and
// dual-stack endpoints, proxies, or any operation beyond those the store and its local table
// setup send. The document layer is `documents.ts`.
import {
  type AwsClientOptions,
  AwsHttpClient,
  type HttpAnswer,
  isNetworkError,
  regionOf,
} from "../../aws/aws-http.js";
import { regionalEndpoint } from "../../aws/json-protocol.js";

export {
  type AwsCredentials as DynamoDbCredentials,
  type CredentialProvider,
  TimeoutError,
} from "../../aws/aws-http.js";

export interface DynamoDbClientOptions extends AwsClientOptions {
  /** DynamoDB Local's URL, for example; `https://dynamodb.<region>.amazonaws.com` when omitted. */
  endpoint?: string;
  /** Called before every HTTP attempt with the operation's name (`Query`, `TransactWriteItems`). */
  onRequest?: (operation: string) => void;
}

/** One reason per item of a cancelled transaction, in the order of the items. */
export interface CancellationReason {
  Code?: string;
  Message?: string;
  /** The item as DynamoDB sent it (attribute values) from `send`; plain values from the
   * document layer's `transactWrite`. */
  Item?: Record<string, unknown>;
}

/** An error answer of DynamoDB, named after its `__type` (`ConditionalCheckFailedException`). */
export class DynamoDbServiceError extends Error {
  readonly $fault: "client" | "server";
  readonly statusCode: number;
  declare CancellationReasons?: CancellationReason[];

  constructor(
    name: string,
    message: string,
    statusCode: number,
    fields: { CancellationReasons?: CancellationReason[] } = {},
  ) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
    this.$fault = statusCode >= 500 ? "server" : "client";
    if (fields.CancellationReasons !== undefined) {
      this.CancellationReasons = fields.CancellationReasons;
    }
  }
}

const TARGET_PREFIX = "DynamoDB_20120810.";
const CONTENT_TYPE = "application/x-amz-json-1.0";

/** Error codes the SDK's standard retry mode treats as throttling: worth another try. */
const THROTTLING_ERRORS = new Set([
  "BandwidthLimitExceeded",
  "EC2ThrottledException",
  "LimitExceededException",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "ThrottledException",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "TransactionInProgressException",
]);
const TRANSIENT_ERRORS = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const TRANSIENT_STATUS_CODES = new Set([500, 502, 503, 504]);

/** Whether the SDK's standard retry mode would try `error` again. */
function isRetryable(error: unknown): boolean {
  if (error instanceof DynamoDbServiceError) {
    return (
      THROTTLING_ERRORS.has(error.name) ||
      TRANSIENT_ERRORS.has(error.name) ||
      TRANSIENT_STATUS_CODES.has(error.statusCode)
    );
  }
  return isNetworkError(error);
}

/** The region's public endpoint of DynamoDB. */
export const defaultEndpoint = (region: string): string => regionalEndpoint("dynamodb", region);

/**
 * DynamoDB's JSON 1.0 protocol: one signed `POST /` per operation, retried as the SDK's standard
 * mode does. `send` takes and returns DynamoDB's wire shapes (attribute values); the store uses it
 * through `DynamoDbDocuments`.
 */
export class DynamoDbClient {
  readonly region: string;
  readonly endpoint: URL;
  private readonly http: AwsHttpClient;
  private readonly onRequest: ((operation: string) => void) | undefined;

  constructor(options: DynamoDbClientOptions = {}) {
    this.region = regionOf(options, "DynamoDB");
    this.http = new AwsHttpClient(
      "dynamodb",
      this.region,
      options.endpoint ?? defaultEndpoint(this.region),
      options,
    );
    this.endpoint = this.http.endpoint;
    this.onRequest = options.onRequest;
  }

  /**
   * Sends one operation (`GetItem`, `Query`, ...) with `input` in DynamoDB's wire format and
   * returns its parsed answer. Throws DynamoDbServiceError for an error answer, TimeoutError or
   * Node's network error when there is none, after the retries.
   */
  async send<T = Record<string, unknown>>(operation: string, input: object): Promise<T> {
    return this.http.send(
      {
        path: "/",
        headers: {
          "content-type": CONTENT_TYPE,
          "x-amz-target": `${TARGET_PREFIX}${operation}`,
        },
        body: JSON.stringify(input),
      },
      (answer) => readAnswer(answer) as T,
      isRetryable,
      () => this.onRequest?.(operation),
    );
  }

  /** Closes the idle keep-alive sockets. The client still works afterwards, on new ones. */
  destroy(): void {
    this.http.destroy();
  }
}

function readAnswer({ statusCode, text }: HttpAnswer): Record<string, unknown> {
  const ok = statusCode >= 200 && statusCode < 300;
  let parsed: Record<string, unknown> = {};
  try {
    if (text !== "") parsed = JSON.parse(text);
  } catch (error) {
    // A proxy's HTML 502 is still a 502 (retried, then "unavailable"); a 200 must be JSON.
    if (ok) throw error;
  }
  if (ok) return parsed;
  throw serviceErrorOf(statusCode, parsed);
}

/** DynamoDB's error answer: `{"__type": "com.amazonaws.dynamodb.v20120810#Name", "message"}`. */
function serviceErrorOf(statusCode: number, body: Record<string, unknown>): DynamoDbServiceError {
  const type = typeof body.__type === "string" ? body.__type : "";
  const name = (type.split("#").pop() ?? "").split(":")[0] || `Http${statusCode}Error`;
  const message = body.message ?? body.Message;
  const reasons = body.CancellationReasons;
  return new DynamoDbServiceError(
    name,
    typeof message === "string" ? message : name,
    statusCode,
    Array.isArray(reasons) ? { CancellationReasons: reasons as CancellationReason[] } : {},
  );
}
