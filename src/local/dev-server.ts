import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { APIGatewayProxyResult } from "aws-lambda";
import {
  type ApiHandler,
  type CorsConfig,
  createPathMatcher,
  NO_STORE,
  payloadTooLarge,
  problemResult,
  ROUTES,
  type Route,
  unparsableRequest,
  type WebSocketHandler,
  withCors,
} from "../http/index.js";
import type { LocalConnections } from "../notify/index.js";
import { toApiGatewayEvent } from "./api-gateway-event.js";
import { type LocalHandler, NOSNIFF, splitTarget } from "./plain-http.js";
import { acceptWebSockets } from "./websocket-endpoint.js";

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
  /** Receives one line per request; absent logs nothing. */
  log?: ((line: string) => void) | undefined;
  /**
   * The WebSocket API at `/notifications`: the handler its events go to and where the open
   * sockets are kept for the local notifier. Absent: no WebSocket upgrades are accepted.
   */
  websocket?: { handler: WebSocketHandler; connections: LocalConnections } | undefined;
  /** Handlers of exact paths, tried before `handler` (the local Cognito endpoint at `/cognito`). */
  exactPaths?: ReadonlyMap<string, ApiHandler> | undefined;
  /** How long a slow client may hold a connection; SLOW_CLIENT_LIMITS by default. */
  slowClients?: SlowClientLimits | undefined;
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
  const matchPath = createPathMatcher((options.routes ?? ROUTES).map((r) => r.resource));

  /** A GET or HEAD of an address that no API route has: the page's or a file's. */
  const isSiteRequest = (request: IncomingMessage): boolean => {
    if (!isRead(request)) return false;
    return matchPath(splitTarget(request.url ?? "/").path) === undefined;
  };

  const limits = options.slowClients ?? SLOW_CLIENT_LIMITS;
  const serverOptions = {
    headersTimeout: limits.headersMs,
    requestTimeout: limits.requestMs,
    connectionsCheckingInterval: limits.checkEveryMs,
  };
  const server = createServer(serverOptions, (request, response) => {
    const started = process.hrtime.bigint();
    response.on("finish", () => {
      if (log === undefined) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log(`${request.method} ${request.url} ${response.statusCode} ${ms.toFixed(1)}ms`);
    });
    // Every answer of this server, whoever writes it: never sniffed into a script or a page.
    for (const [name, value] of Object.entries(NOSNIFF)) response.setHeader(name, value);
    serve(request, response).catch((error: unknown) => {
      // Only a broken socket gets here; there is nobody left to answer.
      response.destroy(error instanceof Error ? error : undefined);
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const handle of options.firstHandlers ?? []) {
      if (await handle(request, response)) return;
    }
    if (site !== undefined && isSiteRequest(request) && (await site(request, response))) return;
    const length = request.headers["content-length"];
    if (Number(length ?? 0) > maxBodyBytes) return refuseTooLarge(request, response);
    // No Content-Length and no Transfer-Encoding means no body (RFC 9112): skip the read.
    const hasBody = length !== undefined || request.headers["transfer-encoding"] !== undefined;
    const body = hasBody ? await readBody(request, maxBodyBytes) : undefined;
    if (body === "too-large") return refuseTooLarge(request, response);
    const event = toApiGatewayEvent(request, body, matchPath);
    const target = options.exactPaths?.get(event.path) ?? handler;
    const result = await target(event, { awsRequestId: event.requestContext.requestId });
    writeResult(response, result);
  }

  function refuseTooLarge(request: IncomingMessage, response: ServerResponse): void {
    const result = problemResult(
      payloadTooLarge(maxBodyBytes),
      { path: request.url ?? "/", requestId: randomUUID() },
      () => {},
    );
    // A page on an allowed origin must be able to read why its upload was refused.
    withCors(result, options.cors, request.headers.origin);
    // Stop reading the rest of the upload: close the connection once the answer is out.
    response.setHeader("Connection", "close");
    writeResult(response, result);
    response.on("finish", () => request.destroy());
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
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name] = values.map(String);
  }
  // One writeHead with every header: cheaper than a setHeader call per header.
  response.writeHead(result.statusCode, headers);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body);
}
