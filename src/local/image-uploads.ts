import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { imageExtensionOf } from "../domain/index.js";
import { type CorsConfig, isAllowedOrigin } from "../http/index.js";
import { contentTypeOf, IMMUTABLE } from "../http/site-files.js";
import type { ImageUploads } from "../services/index.js";
import { sendBytes } from "./plain-http.js";

// What a presigned S3 PUT is in AWS, on the dev server: POST /admin/uploads signs a one-time
// upload URL (HMAC of the key, type, size and expiry with a secret of this process), and
// PUT /uploads/<key> takes exactly those bytes, checked again (signature, expiry, declared type,
// size, the file's own magic bytes), into DATA_DIR/uploads. GET /uploads/<key> serves it.

export const UPLOADS_PATH = "/uploads/";
/** The folder's name alone: `\` for `/` and dot segments are what URL parsing may change. */
const UPLOADS_FOLDER = UPLOADS_PATH.slice(1, -1);
const EXPIRES_IN_SECONDS = 300;
const KEY = /^[0-9a-f-]{36}\.(png|jpg|webp)$/;

export interface LocalImageUploads {
  /** The port, for compose: signs upload URLs on this server. */
  uploads: ImageUploads;
  /** Answers PUT, GET, HEAD and OPTIONS of /uploads/*; false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> | false;
}

/** The file really is what its type says: PNG, JPEG and WebP each start with their signature. */
function looksLike(contentType: string, bytes: Buffer): boolean {
  switch (contentType) {
    case "image/png":
      return bytes
        .subarray(0, 8)
        .equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case "image/jpeg":
      return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    case "image/webp":
      return (
        bytes.subarray(0, 4).toString("latin1") === "RIFF" &&
        bytes.subarray(8, 12).toString("latin1") === "WEBP"
      );
    default:
      return false;
  }
}

export function createLocalImageUploads(options: {
  dataDir: string;
  cors: CorsConfig;
}): LocalImageUploads {
  const secret = randomBytes(32);
  const dir = join(options.dataDir, "uploads");
  const sign = (key: string, contentType: string, bytes: number, expires: number) =>
    createHmac("sha256", secret).update(`${key}\n${contentType}\n${bytes}\n${expires}`).digest();

  const uploads: ImageUploads = {
    async createUpload({ contentType, bytes }) {
      const key = `${randomUUID()}.${imageExtensionOf({ contentType, bytes })}`;
      const expires = Math.floor(Date.now() / 1000) + EXPIRES_IN_SECONDS;
      const signature = sign(key, contentType, bytes, expires).toString("base64url");
      const query = new URLSearchParams({
        bytes: String(bytes),
        expires: String(expires),
        signature,
      });
      return {
        // Relative: the page resolves it against the API's address, which is this server.
        uploadUrl: `${UPLOADS_PATH}${key}?${query}`,
        method: "PUT",
        headers: { "Content-Type": contentType },
        imageUrl: `${UPLOADS_PATH}${key}`,
        expiresAt: new Date(expires * 1000).toISOString(),
      };
    },
  };

  const refuse = (response: ServerResponse, status: number, detail: string, origin?: string) => {
    response.writeHead(status, {
      "Content-Type": "application/problem+json",
      ...corsHeaders(origin),
    });
    response.end(JSON.stringify({ title: "Upload refused", status, detail }));
  };

  const corsHeaders = (origin: string | undefined): Record<string, string> =>
    isAllowedOrigin(options.cors, origin)
      ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" }
      : { Vary: "Origin" };

  async function put(request: IncomingMessage, response: ServerResponse, key: string, url: URL) {
    const origin = request.headers.origin;
    const contentType = request.headers["content-type"] ?? "";
    const bytes = Number(url.searchParams.get("bytes"));
    const expires = Number(url.searchParams.get("expires"));
    const given = Buffer.from(url.searchParams.get("signature") ?? "", "base64url");
    const expected = sign(key, contentType, bytes, expires);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      request.resume();
      return refuse(response, 403, "the upload URL's signature does not match this upload", origin);
    }
    if (expires < Math.floor(Date.now() / 1000)) {
      request.resume();
      return refuse(response, 403, "the upload URL has expired: ask for a new one", origin);
    }
    if (Number(request.headers["content-length"] ?? -1) !== bytes) {
      request.resume();
      return refuse(response, 400, `send exactly ${bytes} bytes, as signed`, origin);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > bytes) return refuse(response, 413, `more than the ${bytes} bytes signed`, origin);
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    if (body.length !== bytes) return refuse(response, 400, `send exactly ${bytes} bytes`, origin);
    if (!looksLike(contentType, body)) {
      return refuse(response, 415, `the file is not a ${contentType} image`, origin);
    }
    await mkdir(dir, { recursive: true });
    // `wx`: a key is used once; a replayed URL cannot replace the image.
    try {
      await writeFile(join(dir, key), body, { flag: "wx" });
    } catch {
      return refuse(response, 409, "this upload URL was used already", origin);
    }
    response.writeHead(200, corsHeaders(origin));
    response.end();
  }

  async function get(request: IncomingMessage, response: ServerResponse, key: string) {
    let body: Buffer;
    try {
      body = await readFile(join(dir, key));
    } catch {
      return refuse(response, 404, "no such image");
    }
    // An image's key is used once (`wx` above): its bytes never change.
    sendBytes(request, response, { type: contentTypeOf(key), cache: IMMUTABLE }, body);
  }

  async function serveUpload(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(UPLOADS_PATH)) return false;
    const key = url.pathname.slice(UPLOADS_PATH.length);
    if (!KEY.test(key)) {
      request.resume();
      refuse(response, 404, "no such image");
      return true;
    }
    const origin = request.headers.origin;
    switch (request.method) {
      case "PUT":
        await put(request, response, key, url);
        return true;
      case "GET":
      case "HEAD":
        await get(request, response, key);
        return true;
      case "OPTIONS":
        if (!isAllowedOrigin(options.cors, origin)) {
          refuse(response, 403, `origin ${origin ?? "(none)"} may not upload here`);
          return true;
        }
        response.writeHead(204, {
          ...corsHeaders(origin),
          "Access-Control-Allow-Methods": "PUT",
          "Access-Control-Allow-Headers": "Content-Type",
          "Access-Control-Max-Age": "600",
        });
        response.end();
        return true;
      default:
        request.resume();
        response.writeHead(405, { Allow: "GET, HEAD, PUT, OPTIONS" });
        response.end();
        return true;
    }
  }

  return {
    uploads,
    handle(request, response) {
      // Asked of every request the server gets: a URL is parsed only for a target that can be
      // an upload's (parsing never adds the letters of the folder's name to a path).
      if (!(request.url ?? "").includes(UPLOADS_FOLDER)) return false;
      return serveUpload(request, response);
    },
  };
}
