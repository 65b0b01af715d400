// An upload the dev server refuses with 413 before its end: the server reads and throws away the
// rest for a bounded time and size (lingering close), so a client still sending reads the answer
// instead of a connection reset; a client that keeps sending past the bounds is cut off.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServerProcess, startDevServerProcess } from "../helpers/dev-server-process.js";
import { type LoopbackServer, startLoopbackServer } from "../helpers/loopback-server.js";

const ALLOWED_ORIGIN = "http://localhost:5173";
const UPLOAD_BYTES = 8 * 1024 * 1024;
/** The reset lost the answer to most uploads, not all: each client sends a few. */
const UPLOADS_EACH = 4;
/** Short bounds for the server that measures them; the defaults are seconds and MiB. */
const LINGER = { lingerMs: 600, discardBytes: 1024 * 1024 };
/** What the machine may add to a bound before the server's close is seen. */
const SLACK_MS = 2_000;

let running: DevServerProcess;
let bounded: LoopbackServer;

beforeAll(async () => {
  // Its own process, as `npm start` runs it: in the test's process, the server's close and the
  // client's read would take turns on one event loop, and the reset would rarely win the race.
  running = await startDevServerProcess({ STORE: "memory", PORT: "0", LOG_REQUESTS: "false" });
  bounded = await startLoopbackServer({ STORE: "memory" }, { server: { refusedUploads: LINGER } });
}, 60_000);

afterAll(async () => {
  await running?.stop();
  await bounded?.close();
});

describe("a Node fetch client still sending a refused upload", () => {
  it("reads the 413 problem of an 8 MiB body with a Content-Length, CORS included", async () => {
    for (let i = 0; i < UPLOADS_EACH; i++) {
      const answer = await fetch(`${running.url}/cart`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: ALLOWED_ORIGIN },
        body: Buffer.alloc(UPLOAD_BYTES, 0x20),
      });
      expect(answer.status).toBe(413);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(answer.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      expect(answer.headers.get("vary")).toBe("Origin");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("connection")).toBe("close");
      expect(await answer.json()).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE" });
    }
  });

  it("reads the 413 problem of an 8 MiB chunked body that grows past the limit", async () => {
    for (let i = 0; i < UPLOADS_EACH; i++) {
      const answer = await fetch(`${running.url}/cart`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: ALLOWED_ORIGIN },
        body: chunkedBody(UPLOAD_BYTES),
        duplex: "half",
      } as RequestInit);
      expect(answer.status).toBe(413);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(answer.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
      expect(await answer.json()).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE" });
    }
  });
});

describe("the bounds of the lingering close", () => {
  it("closes a client trickling its refused body once the time bound is past", async () => {
    const outcome = await rawUpload(bounded, { everyMs: 50, bytesPerWrite: 1, giveUpMs: 10_000 });
    expect(outcome.statusLine).toBe("HTTP/1.1 413 Payload Too Large");
    expect(outcome.closedAfterAnswerMs).toBeGreaterThanOrEqual(LINGER.lingerMs - 50);
    expect(outcome.closedAfterAnswerMs).toBeLessThan(LINGER.lingerMs + SLACK_MS);
  });

  it("closes a client sending fast once the byte bound is past, long before its end", async () => {
    const outcome = await rawUpload(bounded, {
      everyMs: 1,
      bytesPerWrite: 64 * 1024,
      giveUpMs: 10_000,
    });
    expect(outcome.statusLine).toBe("HTTP/1.1 413 Payload Too Large");
    expect(outcome.bytesSent).toBeGreaterThan(LINGER.discardBytes);
    expect(outcome.bytesSent).toBeLessThan(UPLOAD_BYTES * 4);
    expect(outcome.closedAfterAnswerMs).toBeLessThan(LINGER.lingerMs);
  });
});

/** `bytes` of spaces as a stream: fetch sends it chunked, without a Content-Length. */
function chunkedBody(bytes: number): ReadableStream<Uint8Array> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

interface RawOutcome {
  /** The first line the server wrote, empty when it wrote none. */
  statusLine: string;
  /** Milliseconds from the answer's first byte until the server closed the connection. */
  closedAfterAnswerMs: number;
  /** Body bytes written before the connection closed. */
  bytesSent: number;
}

/**
 * Declares a body 32 times the 8 MiB upload on a raw socket, then sends `bytesPerWrite` bytes
 * every `everyMs` until the server closes the connection (or `giveUpMs`, a failure).
 */
function rawUpload(
  server: LoopbackServer,
  options: { everyMs: number; bytesPerWrite: number; giveUpMs: number },
): Promise<RawOutcome> {
  const { hostname, port } = new URL(server.server.url);
  return new Promise((resolve, reject) => {
    // Half-open: the server's FIN after its answer does not end the client's own sending.
    const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    let answer = "";
    let answeredAt: number | undefined;
    let bytesSent = 0;
    const chunk = Buffer.alloc(options.bytesPerWrite, 0x20);
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the connection after ${options.giveUpMs} ms`));
    }, options.giveUpMs);
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      answeredAt ??= performance.now();
      answer += text;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({
        statusLine: answer.split("\r\n")[0] ?? "",
        closedAfterAnswerMs: performance.now() - (answeredAt ?? Number.NaN),
        bytesSent,
      });
    });
    socket.once("connect", () => {
      socket.write(
        `POST /cart HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${UPLOAD_BYTES * 32}\r\n\r\n`,
      );
      timer = setInterval(() => {
        if (socket.writable && socket.writableLength < 1024 * 1024) {
          socket.write(chunk);
          bytesSent += chunk.length;
        }
      }, options.everyMs);
    });
  });
}
