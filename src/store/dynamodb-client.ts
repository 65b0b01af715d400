// A hand-written DynamoDB client, because of cold start. Every Lambda function of the store talks
// to DynamoDB, and the AWS SDK v3 clients (`@aws-sdk/client-dynamodb` + `lib-dynamodb`, ~400 KB
// of the bundle even as ES modules) were most of each cold start: 4-5x a bare `node -e 0`
// (~330-500 ms against ~80-120 ms), where a bundle doing one Query with the SDK took ~170 ms more
// than bare Node, and one signing with the SDK's own standalone signer (@smithy/signature-v4) over
// `node:http` took ~60 ms more, query included, in a 20 KB bundle. This file is that second way.
//
// What it does: DynamoDB's JSON 1.0 protocol (`POST /`, `X-Amz-Target`), SigV4 signing with the
// SDK's signer, credentials from the options or the environment (what Lambda provides), else the
// SDK's full provider chain loaded on demand; keep-alive sockets, a connection and a request
// timeout, and the SDK's standard-mode retries (3 attempts, full-jitter backoff) on network
// errors, timeouts, 5xx and throttling. What it deliberately does not do: the SDK's client-side
// retry quota (token bucket), adaptive rate limiting, clock-skew correction, CRC32 checks of
// responses, endpoint discovery, FIPS/dual-stack endpoints, proxies, or any operation beyond
// those the store and its local table setup send. The document layer is `dynamodb-documents.ts`.
import { createHash, createHmac, randomUUID } from "node:crypto";
import type { Agent as HttpAgent, IncomingMessage, RequestOptions } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { SignatureV4 } from "@smithy/signature-v4";

export interface DynamoDbCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; they are fetched again shortly before. */
  expiration?: Date;
}

export type CredentialProvider = () => Promise<DynamoDbCredentials>;

export interface DynamoDbClientOptions {
  /** Else `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
  region?: string;
  /** DynamoDB Local's URL, for example; `https://dynamodb.<region>.amazonaws.com` when omitted. */
  endpoint?: string;
  /** Else the environment's `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, else
   * the SDK's default chain (profiles, SSO, container and instance metadata). */
  credentials?: DynamoDbCredentials | CredentialProvider;
  /** How long to wait for a TCP (and TLS) connection; 1 s by default. */
  connectionTimeoutMs?: number;
  /** How long to wait for the whole response once the request is sent; 3 s by default. */
  requestTimeoutMs?: number;
  /** Attempts per request, its first included; 3 by default. */
  maxAttempts?: number;
  /** Called before every HTTP attempt with the operation's name (`Query`, `TransactWriteItems`). */
  onRequest?: (operation: string) => void;
  /** Loads the SDK's credential chain; tests replace it to see whether it was loaded. */
  loadCredentialChain?: () => Promise<CredentialProvider>;
  /** Where region and credentials are read from; `process.env` by default. */
  env?: Record<string, string | undefined>;
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

/** No connection, or no complete answer, within the client's timeouts. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 1_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
const DEFAULT_MAX_ATTEMPTS = 3;
const RETRY_BASE_DELAY_MS = 100;
const RETRY_MAX_DELAY_MS = 20_000;
/** Temporary credentials are fetched again this long before they expire. */
const CREDENTIAL_REFRESH_MS = 5 * 60_000;
const TARGET_PREFIX = "DynamoDB_20120810.";
const USER_AGENT = "serverless-store";

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

/** Node's codes for a connection that failed or broke: the request may not have arrived. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** A network failure or a timeout: the endpoint did not answer at all. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === "TimeoutError" || (typeof code === "string" && NETWORK_ERROR_CODES.has(code))
  );
}

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

/** Full-jitter exponential backoff: a random wait up to base * 2^attempt, capped. */
export const backoffMs = (attempt: number, baseMs: number, maxMs: number): number =>
  Math.random() * Math.min(maxMs, baseMs * 2 ** attempt);

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === "string"
    ? data
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 (or its HMAC, given a secret) for the signer, on Node's own crypto. */
class Sha256 {
  private readonly hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytesOf(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** What is signed of a request: the endpoint's host, the path, every header and the body. */
export interface SignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Signs `request` with SigV4 for DynamoDB in `region` at `signingDate`: the headers to send, with
 * `authorization`, `x-amz-date`, `x-amz-content-sha256` and the session token's header added.
 */
export async function signDynamoDbRequest(
  request: SignableRequest,
  credentials: DynamoDbCredentials,
  region: string,
  signingDate: Date = new Date(),
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: "dynamodb", region, credentials, sha256: Sha256 });
  const signed = await signer.sign(
    { ...request, query: {}, headers: { ...request.headers } },
    { signingDate },
  );
  return signed.headers;
}

/** The region's public endpoint: China's regions have their own domain. */
export const defaultEndpoint = (region: string): string =>
  `https://dynamodb.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;

const loadSdkCredentialChain = async (): Promise<CredentialProvider> => {
  const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
  return defaultProvider();
};

/**
 * The JSON 1.0 transport to DynamoDB: one signed POST per operation, retried as the SDK's
 * standard mode does. `send` takes and returns DynamoDB's wire shapes (attribute values); the
 * store uses it through `DynamoDbDocuments`.
 */
export class DynamoDbClient {
  readonly region: string;
  readonly endpoint: URL;
  private readonly credentials: CredentialProvider;
  private readonly connectionTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly onRequest: ((operation: string) => void) | undefined;
  private transport:
    | Promise<{ request: typeof import("node:http").request; agent: HttpAgent }>
    | undefined;
  private agent: HttpAgent | undefined;

  constructor(options: DynamoDbClientOptions = {}) {
    const env = options.env ?? process.env;
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (region === undefined || region === "") {
      throw new Error(
        "DynamoDB needs a region: set AWS_REGION (or AWS_DEFAULT_REGION), or pass `region`",
      );
    }
    this.region = region;
    this.endpoint = new URL(options.endpoint ?? defaultEndpoint(region));
    this.credentials = credentialProviderOf(options, env);
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.onRequest = options.onRequest;
  }

  /**
   * Sends one operation (`GetItem`, `Query`, ...) with `input` in DynamoDB's wire format and
   * returns its parsed answer. Throws DynamoDbServiceError for an error answer, TimeoutError or
   * Node's network error when there is none, after the retries.
   */
  async send<T = Record<string, unknown>>(operation: string, input: object): Promise<T> {
    const body = JSON.stringify(input);
    const invocationId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.attempt(operation, body, invocationId, attempt)) as T;
      } catch (error) {
        if (attempt >= this.maxAttempts || !isRetryable(error)) throw error;
        await sleep(backoffMs(attempt - 1, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS));
      }
    }
  }

  /** Closes the idle keep-alive sockets. The client still works afterwards, on new ones. */
  destroy(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.transport = undefined;
  }

  private async attempt(
    operation: string,
    body: string,
    invocationId: string,
    attempt: number,
  ): Promise<unknown> {
    this.onRequest?.(operation);
    const { hostname, port, protocol } = this.endpoint;
    const headers = await signDynamoDbRequest(
      {
        method: "POST",
        protocol,
        hostname,
        ...(port === "" ? {} : { port: Number(port) }),
        path: "/",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": `${TARGET_PREFIX}${operation}`,
          "content-length": String(Buffer.byteLength(body)),
          host: this.endpoint.host,
          "x-amz-user-agent": USER_AGENT,
          "amz-sdk-invocation-id": invocationId,
          "amz-sdk-request": `attempt=${attempt}; max=${this.maxAttempts}`,
        },
        body,
      },
      await this.credentials(),
      this.region,
    );
    const { statusCode, text } = await this.post(headers, body);
    const parsed: Record<string, unknown> = text === "" ? {} : JSON.parse(text);
    if (statusCode >= 200 && statusCode < 300) return parsed;
    throw serviceErrorOf(statusCode, parsed);
  }

  private async post(
    headers: Record<string, string>,
    body: string,
  ): Promise<{ statusCode: number; text: string }> {
    const { request, agent } = await this.http();
    const options: RequestOptions = {
      method: "POST",
      hostname: this.endpoint.hostname,
      port: this.endpoint.port,
      path: "/",
      headers,
      agent,
    };
    return new Promise((resolve, reject) => {
      const req = request(options, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          clearTimeout(requestTimer);
          resolve({
            statusCode: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      });
      const fail = (error: Error) => {
        clearTimeout(requestTimer);
        reject(error);
      };
      req.on("error", fail);
      const requestTimer = setTimeout(
        () => req.destroy(new TimeoutError(`no answer within ${this.requestTimeoutMs} ms`)),
        this.requestTimeoutMs,
      );
      req.on("socket", (socket) => {
        // A reused keep-alive socket is connected already; only a new one can hang connecting.
        if (!socket.connecting) return;
        const connectTimer = setTimeout(
          () =>
            req.destroy(new TimeoutError(`no connection within ${this.connectionTimeoutMs} ms`)),
          this.connectionTimeoutMs,
        );
        socket.once("connect", () => clearTimeout(connectTimer));
        socket.once("close", () => clearTimeout(connectTimer));
      });
      req.end(body);
    });
  }

  /** `node:https` (and its TLS) loads only for an https endpoint: DynamoDB Local is plain http. */
  private http() {
    this.transport ??= (async () => {
      const module =
        this.endpoint.protocol === "https:"
          ? await import("node:https")
          : await import("node:http");
      const agent = new module.Agent({ keepAlive: true, maxSockets: 50 });
      this.agent = agent;
      return { request: module.request as typeof import("node:http").request, agent };
    })();
    return this.transport;
  }
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

function credentialProviderOf(
  options: DynamoDbClientOptions,
  env: Record<string, string | undefined>,
): CredentialProvider {
  const given = options.credentials;
  if (typeof given === "function") return refreshing(given);
  if (given !== undefined) return async () => given;
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = env;
  if (AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY) {
    const fromEnv: DynamoDbCredentials = {
      accessKeyId: AWS_ACCESS_KEY_ID,
      secretAccessKey: AWS_SECRET_ACCESS_KEY,
      ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}),
    };
    return async () => fromEnv;
  }
  // A laptop with a profile or SSO: the SDK's chain, loaded only now that it is needed.
  const load = options.loadCredentialChain ?? loadSdkCredentialChain;
  let chain: Promise<CredentialProvider> | undefined;
  return refreshing(async () => {
    chain ??= load();
    return (await chain)();
  });
}

/** Caches what `provider` gives until shortly before it expires; one fetch at a time. */
function refreshing(provider: CredentialProvider): CredentialProvider {
  let current: Promise<DynamoDbCredentials> | undefined;
  return async () => {
    const cached = current === undefined ? undefined : await current.catch(() => undefined);
    const expiration = cached?.expiration?.getTime();
    if (
      cached === undefined ||
      (expiration !== undefined && expiration - Date.now() < CREDENTIAL_REFRESH_MS)
    ) {
      current = provider();
    }
    return current as Promise<DynamoDbCredentials>;
  };
}
