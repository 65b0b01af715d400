// The dev server's image uploads: what POST /admin/uploads signs is the only PUT taken, with
// its type, its exact size and a real image of that type, once; the image is then served.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createLocalImageUploads,
  type LocalImageUploads,
} from "../../../src/local/image-uploads.js";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

let dir: string;
let server: Server;
let base: string;
let images: LocalImageUploads;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "store-uploads-"));
  images = createLocalImageUploads({
    dataDir: dir,
    cors: { allowedOrigins: new Set(["http://localhost:5173"]), maxAgeSeconds: 600 },
  });
  server = createServer((request, response) => {
    void Promise.resolve(images.handle(request, response)).then((served) => {
      if (!served) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const put = (url: string, body: Buffer, contentType = "image/png") =>
  fetch(new URL(url, base), { method: "PUT", headers: { "Content-Type": contentType }, body });

describe("the dev server's image uploads", () => {
  it("takes the signed PUT once and serves the image under its imageUrl", async () => {
    const upload = await images.uploads.createUpload({
      contentType: "image/png",
      bytes: PNG.length,
    });
    expect(upload.imageUrl).toMatch(/^\/uploads\/[0-9a-f-]{36}\.png$/);
    expect(upload.headers).toEqual({ "Content-Type": "image/png" });

    expect((await put(upload.uploadUrl, PNG)).status).toBe(200);
    const served = await fetch(new URL(upload.imageUrl, base));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
    // A replayed URL cannot replace the image.
    expect((await put(upload.uploadUrl, PNG)).status).toBe(409);
  });

  it("refuses another type, another size, bytes that are not the image and a forged signature", async () => {
    const upload = await images.uploads.createUpload({
      contentType: "image/png",
      bytes: PNG.length,
    });
    expect((await put(upload.uploadUrl, PNG, "image/jpeg")).status).toBe(403);
    expect((await put(upload.uploadUrl, Buffer.concat([PNG, Buffer.from("x")]))).status).toBe(400);
    const fake = Buffer.alloc(PNG.length, 0x41);
    expect((await put(upload.uploadUrl, fake)).status).toBe(415);
    const forged = upload.uploadUrl.replace(/signature=[^&]+/, "signature=AAAA");
    expect((await put(forged, PNG)).status).toBe(403);
    expect((await fetch(new URL(upload.imageUrl, base))).status).toBe(404);
  });

  it("signs only PNG, JPEG and WebP of at most 1 MiB", async () => {
    await expect(
      images.uploads.createUpload({ contentType: "image/svg+xml", bytes: 10 }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(
      images.uploads.createUpload({ contentType: "image/png", bytes: 1024 * 1024 + 1 }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("answers a preflight from an allowed origin only", async () => {
    const upload = await images.uploads.createUpload({
      contentType: "image/png",
      bytes: PNG.length,
    });
    const preflight = (origin: string) =>
      fetch(new URL(upload.uploadUrl, base), {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "PUT" },
      });
    const allowed = await preflight("http://localhost:5173");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect((await preflight("https://evil.example")).status).toBe(403);
  });
});
