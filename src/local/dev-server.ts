// Buffer and performance imported, not the globals: those are getters on globalThis, called at
// every use even in optimized code (a measurable share of a request, BENCHMARKS.md).
import { Buffer } from "node:buffer";
import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  type Server,
  ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import {
  type ApiHandler,
  type CorsConfig,
  createPathMatcher,
  NO_STORE,
  type PathMatch,
  payloadTooLarge,
  problemResult,
  ROUTES,
  type Route,
  unparsableRequest,
  type WebSocketHandler,
  withCors,
} from "../http/index.js";
import type { LocalConnections } from "../notify/index.js";
import { type RequestTarget, toApiGatewayEvent } from "./api-gateway-event.js";
import { type RequestLog, requestLine } from "./batched-lines.js";
import { type LocalHandler, NOSNIFF, splitTarget } from "./plain-http.js";
import { acceptWebSockets } from "./websocket-endpoint.js";

/** The name of NOSNIFF's one header, as written and as Node keys it. */
const NOSNIFF_HEADER = "X-Content-Type-Options" satisfies keyof typeof NOSNIFF;
const NOSNIFF_NAME = NOSNIFF_HEADER.toLowerCase();
/** Answers that never carry a body, nor so a Content-Length (RFC 9110, 8.6). */
const BODILESS_STATUSES: ReadonlySet<number> = new Set([204, 304]);

export interface DevServerOptions {
  handler: ApiHandler;
  routes?: readonly Route[];
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxBodyBytes: number;
  /** Browsers' origins allowed to read the answers the server gives before the handler runs. */
  cors: CorsConfig;
  /** The storefront, served at the addresses no API route has; absent: API only. */
  site?: LocalHandler | undefined;
  /**
   * Tried first, in order, with the raw request (before the body limit), each answering whether
   * it served it: GraphiQL at `GET /graphql` asking for HTML (a page for a person at a browser
   * that shares an API address) and the product image uploads, which check their own size.
   */
  firstHandlers?: readonly LocalHandler[] | undefined;
  /** Receives the server's lines (a WebSocket opened or refused); absent logs nothing. */
  log?: ((line: string) => void) | undefined;
  /**
   * Receives one line per request, as it ends (`BatchedLines` writes it without making a
   * string). Absent: the lines go to `log` as text, or nowhere.
   */
  requestLog?: RequestLog | undefined;
  /**
   * The WebSocket API at `/notifications`: the handler its events go to and where the open
   * sockets are kept for the local notifier. Absent: no WebSocket upgrades are accepted.
   */
  websocket?: { handler: WebSocketHandler; connections: LocalConnections } | undefined;
  /** Handlers of exact paths, tried before `handler` (the local Cognito endpoint at `/cognito`). */
  exactPaths?: ReadonlyMap<string, ApiHandler> | undefined;
  /** How long a slow client may hold a connection; SLOW_CLIENT_LIMITS by default. */
  slowClients?: SlowClientLimits | undefined;
  /** What is still read of a refused upload before closing; REFUSED_UPLOAD_LINGER by default. */
  refusedUploads?: LingerLimits | undefined;
}

/**
 * Node's headersTimeout and requestTimeout, checked every `checkEveryMs`: a client that sends
 * its headers or its body a byte at a time is answered 408 and closed instead of holding a
 * socket (Node's own defaults are 60 s and 5 min, checked every 30 s).
 */
export interface SlowClientLimits {
  headersMs: number;
  requestMs: number;
  checkEveryMs: number;
}

export const SLOW_CLIENT_LIMITS: SlowClientLimits = {
  headersMs: 10_000,
  requestMs: 30_000,
  checkEveryMs: 1_000,
};

/**
 * Lingering close (as nginx does it) after a 413 refused an upload before its end: the answer
 * goes out with `Connection: close` and the FIN, then the rest of the upload is read and thrown
 * away until the client stops sending, so a client still writing its body reads the 413 instead
 * of a connection reset. Bounded: past `discardBytes` more, or `lingerMs` after the answer, the
 * connection is cut whatever the client is still sending.
 */
export interface LingerLimits {
  discardBytes: number;
  lingerMs: number;
}

/** Room for the rest of an upload a few times the largest body the server takes (6 MiB). */
export const REFUSED_UPLOAD_LINGER: LingerLimits = {
  discardBytes: 16 * 1024 * 1024,
  lingerMs: 5_000,
};

export interface DevServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * What API Gateway and Lambda do for one request, on loopback: read the body (refusing an
 * oversized one before buffering it), build the v1 proxy event, invoke the handler, write its
 * result back.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { handler, maxBodyBytes, log, site } = options;
  const requestLog: RequestLog | undefined =
    options.requestLog ??
    (log === undefined ? undefined : { request: (...parts) => log(requestLine(...parts)) });
  const matchPath = createPathMatcher((options.routes ?? ROUTES).map((r) => r.resource));
  const firstHandlers = options.firstHandlers ?? [];
  const linger = options.refusedUploads ?? REFUSED_UPLOAD_LINGER;

  const limits = options.slowClients ?? SLOW_CLIENT_LIMITS;
  const serverOptions = {
    headersTimeout: limits.headersMs,
    requestTimeout: limits.requestMs,
    connectionsCheckingInterval: limits.checkEveryMs,
    ServerResponse: requestLog === undefined ? NosniffResponse : loggedResponses(requestLog),
  };
  const server = createServer(serverOptions, serve);

  /**
   * Synchronous until something has to be waited for: a first handler's or the site's answer,
   * a body, the handler's result. A request with none of the first three (most API requests)
   * costs no promise of the server's own, only the handler's (BENCHMARKS.md).
   */
  function serve(request: IncomingMessage, response: ServerResponse, next = 0): void {
    try {
      for (; next < firstHandlers.length; next++) {
        const served = (firstHandlers[next] as LocalHandler)(request, response);
        if (served !== false) {
          const after = next + 1;
          served.then(
            (done) => done || serve(request, response, after),
            (error: unknown) => fail(response, error),
          );
          return;
        }
      }
      const target = splitTarget(request.url ?? "/");
      const match = matchPath(target.path);
      // A GET or HEAD of an address that no API route has: the page's or a file's.
      if (site !== undefined && match === undefined && isRead(request)) {
        const served = site(request, response);
        if (served !== false) {
          served.then(
            (done) => done || serveApi(request, response, target, match),
            (error: unknown) => fail(response, error),
          );
          return;
        }
      }
      serveApi(request, response, target, match);
    } catch (error) {
      fail(response, error);
    }
  }

  function serveApi(
    request: IncomingMessage,
    response: ServerResponse,
    target: RequestTarget,
    match: PathMatch | undefined,
  ): void {
    try {
      const length = request.headers["content-length"];
      if (length !== undefined && Number(length) > maxBodyBytes) {
        refuseTooLarge(request, response);
      } else if (length === undefined && request.headers["transfer-encoding"] === undefined) {
        // No Content-Length and no Transfer-Encoding means no body (RFC 9112): skip the read.
        invoke(response, toApiGatewayEvent(request, undefined, target, match));
      } else {
        void serveWithBody(request, response, target, match);
      }
    } catch (error) {
      fail(response, error);
    }
  }

  async function serveWithBody(
    request: IncomingMessage,
    response: ServerResponse,
    target: RequestTarget,
    match: PathMatch | undefined,
  ): Promise<void> {
    try {
      const body = await readBody(request, maxBodyBytes);
      if (body === "too-large") return refuseTooLarge(request, response);
      invoke(response, toApiGatewayEvent(request, body, target, match));
    } catch (error) {
      fail(response, error);
    }
  }

  /** The handler's result written back; one `.then`, not an `async` layer around the handler. */
  function invoke(response: ServerResponse, event: APIGatewayProxyEvent): void {
    const exact = options.exactPaths?.get(event.path);
    (exact ?? handler)(event, { awsRequestId: event.requestContext.requestId }).then(
      (result) => answer(response, result),
      (error: unknown) => fail(response, error),
    );
  }

  function refuseTooLarge(request: IncomingMessage, response: ServerResponse): void {
    const result = problemResult(
      payloadTooLarge(maxBodyBytes),
      { path: request.url ?? "/", requestId: randomUUID() },
      () => {},
    );
    // A page on an allowed origin must be able to read why its upload was refused.
    withCors(result, options.cors, request.headers.origin);
    result.headers = { ...result.headers, Connection: "close" };
    discardRestOfUpload(request, linger);
    writeResult(response, result);
  }

  // A request Node could not parse (a request line or headers past its limit, a bad
  // Content-Length) never reaches `serve`: answer it as problem+json too, then close.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const result = problemResult(
      unparsableRequest(error.code),
      { path: "", requestId: randomUUID() },
      () => {},
    );
    const headers = { ...result.headers, ...NOSNIFF, "Cache-Control": NO_STORE };
    const body = Buffer.from(result.body);
    const head = [
      `HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode] ?? ""}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${String(value)}`),
      `Content-Length: ${body.length}`,
      "Connection: close",
    ];
    socket.end(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), body]));
  });

  const stopWebSockets =
    options.websocket === undefined
      ? undefined
      : acceptWebSockets(server, { ...options.websocket, log });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        stopWebSockets?.();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

const isRead = (request: IncomingMessage): boolean =>
  request.method === "GET" || request.method === "HEAD";

/** Only a broken socket gets here, or a result that cannot be written: nobody is left to answer. */
function fail(response: ServerResponse, error: unknown): void {
  response.destroy(error instanceof Error ? error : undefined);
}

function answer(response: ServerResponse, result: APIGatewayProxyResult): void {
  try {
    writeResult(response, result);
  } catch (error) {
    fail(response, error);
  }
}

/**
 * Reads and throws away the rest of a refused upload within `limits` (see LingerLimits), then
 * closes. Node would destroy the socket as soon as an answer with `Connection: close` is out,
 * unread bytes and all, which the client's kernel reports as a reset: here the socket only
 * half-closes (the FIN after the answer) and stays readable until the upload ends or a bound
 * is reached.
 */
function discardRestOfUpload(request: IncomingMessage, limits: LingerLimits): void {
  const socket = request.socket;
  let discarded = 0;
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.destroySoon = () => {
    socket.end();
    timer = setTimeout(close, limits.lingerMs);
    // A client that already sent everything is closed once the answer is out.
    if (request.complete) socket.once("finish", close);
  };
  socket.once("close", () => clearTimeout(timer));
  request.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limits.discardBytes) close();
  });
  request.once("end", () => {
    if (socket.writableFinished) close();
    else socket.once("finish", close);
  });
  // A client that gives up mid-upload is no error of the server's.
  request.on("error", () => {});
  request.resume();
}

/** The body, or "too-large" as soon as more than `maxBytes` arrived (the rest is not buffered). */
function readBody(
  request: IncomingMessage,
  maxBytes: number,
): Promise<Buffer | "too-large" | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        chunks.length = 0;
        request.pause();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (!done) resolve(size === 0 ? undefined : Buffer.concat(chunks, size));
    });
    request.on("error", (error) => {
      if (!done) reject(error);
    });
  });
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  // The result is the server's to change once the handler returned it; Node writes a number
  // or a boolean value as its text, as String() would.
  const headers = (result.headers ?? {}) as OutgoingHttpHeaders;
  const multi = result.multiValueHeaders;
  if (multi !== undefined)
    for (const name in multi) headers[name] = (multi[name] ?? []).map(String);
  headers[NOSNIFF_HEADER] = NOSNIFF[NOSNIFF_HEADER];
  const body = result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body;
  // The length, as API Gateway sends it, rather than a chunked body: Node then writes the head
  // and the body in one piece. A HEAD's answer carries its GET's length already; a 204 or a 304
  // has none (RFC 9110). A string: Node's check of a header's value takes a number's slow path.
  if (headers["Content-Length"] === undefined && !BODILESS_STATUSES.has(result.statusCode)) {
    const bytes = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    headers["Content-Length"] = String(bytes);
  }
  // One writeHead with every header, nothing set before: Node then writes them as given,
  // instead of merging them one setHeader call at a time.
  response.writeHead(result.statusCode, headers);
  response.end(body);
}

/**
 * The dev server's responses: every answer carries nosniff, whoever writes it. Set here only
 * when the headers given to `writeHead` lack it (the API's answers and the site's files carry
 * it already): a header set before `writeHead` sends the answer down Node's slower path.
 */
class NosniffResponse extends ServerResponse {
  override writeHead(
    statusCode: number,
    reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ): this {
    const reason = typeof reasonOrHeaders === "string" ? reasonOrHeaders : undefined;
    const given = typeof reasonOrHeaders === "string" ? headers : reasonOrHeaders;
    // Headers given as a list are merged by Node one by one anyway: set it, they may override.
    const carried =
      given !== undefined && !Array.isArray(given) && given[NOSNIFF_HEADER] !== undefined;
    if (!carried && !this.hasHeader(NOSNIFF_NAME)) {
      this.setHeader(NOSNIFF_HEADER, NOSNIFF[NOSNIFF_HEADER]);
    }
    return reason === undefined
      ? super.writeHead(statusCode, given)
      : super.writeHead(statusCode, reason, given);
  }
}

/**
 * Responses that log one line as they end: method, target, status, milliseconds to answer.
 * Logged by the response itself rather than by a `finish` listener added to every response: a
 * listener and its closure per request were a measurable share of a request (BENCHMARKS.md).
 */
function loggedResponses(log: RequestLog): typeof NosniffResponse {
  return class LoggedResponse extends NosniffResponse {
    private readonly startedMs = performance.now();

    // Node's three parameters, passed on as they came: a rest array and `apply` were an
    // allocation and a slow call per request.
    override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
      const first = !this.writableEnded;
      (super.end as (chunk: unknown, encoding: unknown, callback: unknown) => unknown).call(
        this,
        chunk,
        encoding,
        callback,
      );
      if (first) {
        const { method, url } = this.req;
        log.request(method ?? "", url ?? "", this.statusCode, performance.now() - this.startedMs);
      }
      return this;
    }
  };
}
