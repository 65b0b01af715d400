// What the dev server answers at its edges, before or beside the handler: requests Node could
// not parse are problem+json too; HEAD answers as GET without a body; every answer has nosniff.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaticSite } from "../../src/local/static-site.js";
import { type LoopbackServer, startLoopbackServer } from "../helpers/loopback-server.js";

let running: LoopbackServer;
let dir: string;
let port = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "store-edges-"));
  await writeFile(join(dir, "index.html"), "<!doctype html><title>shop</title>");
  running = await startLoopbackServer(
    { STORE: "memory" },
    {
      server: {
        site: createStaticSite({
          stripe: false,
          root: dir,
          config: (origin) => ({
            apiUrl: origin,
            websocketUrl: "ws://127.0.0.1:1/notifications",
            region: "local",
            userPoolClientId: "local",
            cognitoEndpoint: `${origin}/cognito/`,
          }),
        }),
      },
    },
  );
  port = Number(new URL(running.server.url).port);
});

afterAll(async () => {
  await running?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Sends `raw` bytes as they are and answers the status line, headers and body Node sent back. */
function rawExchange(
  raw: string,
): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = new Map<string, string>();
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
    });
    socket.end(raw);
  });
}

describe("requests Node refuses before the handler", () => {
  it("answers a URL over the header limit with a 431 problem", async () => {
    const res = await rawExchange(
      `GET /products?q=${"a".repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const problem = JSON.parse(res.body);
    expect(problem).toMatchObject({ status: 431, code: "HEADERS_TOO_LARGE" });
    expect(Buffer.byteLength(res.body)).toBe(Number(res.headers.get("content-length")));
  });

  it("answers a malformed Content-Length with a 400 problem", async () => {
    const res = await rawExchange(
      "POST /cart HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\nContent-Type: application/json\r\n\r\n{}",
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: "MALFORMED_REQUEST" });
  });
});

describe("HEAD and nosniff over HTTP", () => {
  it("HEAD /products answers the GET's status and headers with no body", async () => {
    const url = `${running.server.url}/products`;
    const get = await fetch(url);
    const head = await fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
    expect(head.headers.get("content-length")).toBe(String(Buffer.byteLength(await get.text())));
  });

  it("every kind of answer carries nosniff: the API, its problems, the site", async () => {
    const answers = await Promise.all([
      fetch(`${running.server.url}/products`),
      fetch(`${running.server.url}/orders`),
      fetch(`${running.server.url}/nowhere`, { headers: { Accept: "application/json" } }),
      fetch(`${running.server.url}/`, { headers: { Accept: "text/html" } }),
    ]);
    for (const answer of answers) {
      expect(answer.headers.get("x-content-type-options"), answer.url).toBe("nosniff");
    }
    expect(answers[1]?.headers.get("cache-control")).toBe("no-store");
  });
});
