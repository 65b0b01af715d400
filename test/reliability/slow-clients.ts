import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

// Clients that hold a connection open by sending slowly: one that never finishes its headers,
// one that sends its body a byte per `everyMs`. Each reports when the server closed it and what
// it was answered, if anything.

export interface SlowClientOutcome {
  /** Milliseconds from the first byte until the server closed the connection. */
  closedAfterMs: number;
  /** The status line the server wrote before closing, if any. */
  answer: string;
  /** Bytes sent after the first write (the dripped ones). */
  bytesSent: number;
}

function slowClient(
  url: string,
  head: string,
  drip: string,
  everyMs: number,
  giveUpMs: number,
): Promise<SlowClientOutcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const started = performance.now();
    let answer = "";
    let bytesSent = 0;
    let closed = false;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
      resolve({
        closedAfterMs: performance.now() - started,
        answer: answer.split("\r\n")[0] ?? "",
        bytesSent,
      });
    });
    socket.once("connect", async () => {
      try {
        socket.write(head);
        for (let i = 0; !closed && performance.now() - started < giveUpMs; i += 1) {
          await sleep(everyMs);
          if (closed || socket.destroyed) break;
          socket.write(drip[i % drip.length] ?? "a");
          bytesSent += 1;
        }
        if (!closed) {
          socket.destroy();
          reject(new Error(`the server still held the slow connection after ${giveUpMs} ms`));
        }
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Sends a request line and one header, then a byte of another header every `everyMs`, forever. */
export const neverFinishesHeaders = (url: string, everyMs: number, giveUpMs: number) =>
  slowClient(
    url,
    "GET /products HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
    "abcdefghij",
    everyMs,
    giveUpMs,
  );

/** Sends complete headers of a `bytes`-long JSON body, then the body a byte every `everyMs`. */
export const dripsBody = (
  url: string,
  token: string,
  bytes: number,
  everyMs: number,
  giveUpMs: number,
) =>
  slowClient(
    url,
    `POST /cart HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`,
    `{"products":[]}${" ".repeat(bytes)}`,
    everyMs,
    giveUpMs,
  );
