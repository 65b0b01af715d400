// Signed HTTP requests to AWS services on `node:http(s)` and the SDK's own SigV4 signer: what the
// store's DynamoDB client and the API Gateway notifier share, kept small for cold start
// (BENCHMARKS.md). The protocols on top (DynamoDB's JSON 1.0, the management API's REST call) are
// the callers'.
import { createHash, createHmac, randomUUID } from "node:crypto";
import type { Agent as HttpAgent, IncomingMessage, RequestOptions } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { SignatureV4 } from "@smithy/signature-v4";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; they are fetched again shortly before. */
  expiration?: Date;
}

export type CredentialProvider = () => Promise<AwsCredentials>;

/** Where a client finds its region and credentials, and how patient it is. */
export interface AwsClientOptions {
  /** Else `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Else the environment's `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, else
   * the SDK's default chain (profiles, SSO, container and instance metadata). */
  credentials?: AwsCredentials | CredentialProvider;
  /** How long to wait for a TCP (and TLS) connection; 1 s by default. */
  connectionTimeoutMs?: number;
  /** How long to wait for the whole response once the request is sent; 3 s by default. */
  requestTimeoutMs?: number;
  /** Attempts per request, its first included; 3 by default. */
  maxAttempts?: number;
  /** Loads the SDK's credential chain; tests replace it to see whether it was loaded. */
  loadCredentialChain?: () => Promise<CredentialProvider>;
  /** Where region and credentials are read from; `process.env` by default. */
  env?: Record<string, string | undefined>;
}

/** No connection, or no complete answer, within the client's timeouts. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 1_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
const DEFAULT_MAX_ATTEMPTS = 3;
/** The SDK's standard retry mode: full jitter over 100 ms * 2^attempt, at most 20 s. */
const RETRY_BASE_DELAY_MS = 100;
const RETRY_MAX_DELAY_MS = 20_000;
/** Temporary credentials are fetched again this long before they expire. */
const CREDENTIAL_REFRESH_MS = 5 * 60_000;
const USER_AGENT = "serverless-store";

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
  body: string | Uint8Array;
}

/**
 * Signs `request` with SigV4 for `service` in `region` at `signingDate`: the headers to send, with
 * `authorization`, `x-amz-date`, `x-amz-content-sha256` and the session token's header added.
 */
export const signRequest = (
  request: SignableRequest,
  signing: { service: string; region: string; credentials: AwsCredentials },
  signingDate: Date = new Date(),
): Promise<Record<string, string>> =>
  signWith(new SignatureV4({ ...signing, sha256: Sha256 }), request, signingDate);

async function signWith(
  signer: SignatureV4,
  request: SignableRequest,
  signingDate: Date,
): Promise<Record<string, string>> {
  const signed = await signer.sign(
    { ...request, query: {}, headers: { ...request.headers } },
    { signingDate },
  );
  return signed.headers;
}

/**
 * A presigned URL for `request` (SigV4 in the query string), valid `expiresInSeconds`: whoever
 * holds it may send exactly that request, with exactly the headers signed, until it expires.
 */
export async function presignUrl(
  request: Omit<SignableRequest, "body">,
  signing: { service: string; region: string; credentials: CredentialProvider },
  expiresInSeconds: number,
  signingDate: Date = new Date(),
): Promise<string> {
  const signer = new SignatureV4({ ...signing, sha256: Sha256 });
  const signed = await signer.presign(
    { ...request, query: {}, headers: { ...request.headers } },
    { expiresIn: expiresInSeconds, signingDate, unsignableHeaders: new Set() },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join("&");
  const port = request.port === undefined ? "" : `:${request.port}`;
  return `${request.protocol}//${request.hostname}${port}${request.path}?${query}`;
}

/** The region of the options, else of the environment; a clear error without one. */
export function regionOf(options: AwsClientOptions, service: string): string {
  const env = options.env ?? process.env;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined || region === "") {
    throw new Error(
      `${service} needs a region: set AWS_REGION (or AWS_DEFAULT_REGION), or pass \`region\``,
    );
  }
  return region;
}

/** An answer as it came: the caller's protocol decides what is an error. */
export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface SignedRequest {
  /** The path after the endpoint's own path (`/`, `/@connections/abc%3D`). */
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/**
 * One AWS service endpoint: signs each attempt of a request, sends it over keep-alive sockets
 * within the timeouts, and retries what `isRetryable` accepts (network errors and timeouts when
 * the caller says so) with the SDK's standard-mode backoff.
 */
export class AwsHttpClient {
  readonly endpoint: URL;
  /** One signer per client: it caches the day's signing key. */
  private readonly signer: SignatureV4;
  private readonly connectionTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  private transport:
    | Promise<{ request: typeof import("node:http").request; agent: HttpAgent }>
    | undefined;
  private agent: HttpAgent | undefined;

  constructor(
    service: string,
    readonly region: string,
    endpoint: string,
    options: AwsClientOptions,
  ) {
    this.endpoint = new URL(endpoint);
    this.signer = new SignatureV4({
      service,
      region,
      credentials: credentialProviderOf(options, options.env ?? process.env),
      sha256: Sha256,
    });
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  }

  /**
   * Sends `request` until `read` accepts an answer (returning its result) or an error that
   * `isRetryable` refuses, or the attempts run out. `read` throws for an error answer.
   */
  async send<T>(
    request: SignedRequest,
    read: (answer: HttpAnswer) => T,
    isRetryable: (error: unknown) => boolean,
    onAttempt?: () => void,
  ): Promise<T> {
    const invocationId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        onAttempt?.();
        return read(await this.attempt(request, invocationId, attempt));
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
    request: SignedRequest,
    invocationId: string,
    attempt: number,
  ): Promise<HttpAnswer> {
    const { hostname, port, protocol } = this.endpoint;
    const path = `${this.endpoint.pathname.replace(/\/$/, "")}${request.path}`;
    const body = request.body;
    const headers = await signWith(
      this.signer,
      {
        method: "POST",
        protocol,
        hostname,
        ...(port === "" ? {} : { port: Number(port) }),
        path,
        headers: {
          ...request.headers,
          "content-length": String(Buffer.byteLength(body)),
          host: this.endpoint.host,
          "x-amz-user-agent": USER_AGENT,
          // What the SDK sends too: one id per request, and which attempt this is.
          "amz-sdk-invocation-id": invocationId,
          "amz-sdk-request": `attempt=${attempt}; max=${this.maxAttempts}`,
        },
        body,
      },
      new Date(),
    );
    return this.post(path, headers, body);
  }

  private async post(
    path: string,
    headers: Record<string, string>,
    body: string | Uint8Array,
  ): Promise<HttpAnswer> {
    const { request, agent } = await this.http();
    const options: RequestOptions = {
      method: "POST",
      hostname: this.endpoint.hostname,
      port: this.endpoint.port,
      path,
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
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      });
      req.on("error", (error) => {
        clearTimeout(requestTimer);
        reject(error);
      });
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

const loadSdkCredentialChain = async (): Promise<CredentialProvider> => {
  const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
  return defaultProvider();
};

/** The options' credentials, else the environment's, else the SDK's chain loaded on demand. */
export function credentialProviderOf(
  options: AwsClientOptions,
  env: Record<string, string | undefined>,
): CredentialProvider {
  const given = options.credentials;
  if (typeof given === "function") return refreshing(given);
  if (given !== undefined) return async () => given;
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = env;
  if (AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY) {
    const fromEnv: AwsCredentials = {
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
  let current: Promise<AwsCredentials> | undefined;
  return async () => {
    const cached = current === undefined ? undefined : await current.catch(() => undefined);
    const expiration = cached?.expiration?.getTime();
    if (
      cached === undefined ||
      (expiration !== undefined && expiration - Date.now() < CREDENTIAL_REFRESH_MS)
    ) {
      current = provider();
    }
    return current as Promise<AwsCredentials>;
  };
}
