import { Buffer } from "node:buffer";

/** Where the request log's lines go, one per request as it ends. */
export interface RequestLog {
  /** `GET /products 200 1.2ms`: method, target, status, milliseconds to answer. */
  request(method: string, target: string, status: number, ms: number): void;
}

/** Lines to an output, written together. */
export interface BatchedLines extends RequestLog {
  /** Queues a line (a newline is added); it is written within `flushEveryMs`, or sooner when many wait. */
  write(line: string): void;
  /** Writes what is queued now: before the process exits. */
  flush(): void;
}

export interface BatchLimits {
  /** The longest a queued line waits before it is written. */
  flushEveryMs: number;
  /** Queued bytes past this many are written at once. */
  maxPendingBytes: number;
}

/** A person reading the log sees a line within a tenth of a second of its request. */
export const LOG_BATCH: BatchLimits = { flushEveryMs: 100, maxPendingBytes: 16 * 1024 };

/** A request line's bytes beside its method and target: spaces, status, milliseconds, newline. */
const NUMBERS_ROOM = 40;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const DOT = 0x2e;
const ZERO = 0x30;
const LATIN1_MAX = 0xff;

/** The request log's line as text, exactly as `BatchedLines.request` writes it. */
export function requestLine(method: string, target: string, status: number, ms: number): string {
  const tenths = Math.round(ms * 10);
  const tenth = tenths % 10;
  return `${method} ${target} ${status} ${(tenths - tenth) / 10}.${tenth}ms`;
}

/**
 * Lines written together, at most `flushEveryMs` after the first of them: under load, one call
 * for hundreds of requests instead of one each (a write to a terminal, a pipe or a file is a
 * system call per call, a measurable share of a request to the dev server, BENCHMARKS.md).
 * The lines are put together in bytes. A request's line is copied there from its parts, a
 * character at a time, with no string made for it and no call out of JavaScript: the dozen
 * strings of a line per request, and then a native call per part, each measured as a share of
 * a request. The method and target go out as the bytes the client sent (Node reads them as
 * latin1).
 */
export function batchedLines(
  write: (bytes: Uint8Array) => void,
  limits: BatchLimits = LOG_BATCH,
): BatchedLines {
  const capacity = 2 * limits.maxPendingBytes;
  let bytes = Buffer.allocUnsafe(capacity);
  let length = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (length === 0) return;
    // The filled bytes are handed over as they are; the next lines go to a new buffer.
    const full = bytes.subarray(0, length);
    bytes = Buffer.allocUnsafe(capacity);
    length = 0;
    write(full);
  };

  /** Room for `needed` more bytes: what waits is written first if they would not fit. */
  const makeRoom = (needed: number) => {
    if (length + needed <= bytes.length) return;
    flush();
    if (needed > bytes.length) bytes = Buffer.allocUnsafe(needed);
  };

  const queued = () => {
    if (length >= limits.maxPendingBytes) flush();
    else if (timer === undefined) {
      // A queued line never keeps the process alive: exit flushes it.
      timer = setTimeout(flush, limits.flushEveryMs);
      timer.unref();
    }
  };

  const writeText = (line: string) => {
    makeRoom(Buffer.byteLength(line) + 1);
    length += bytes.write(line, length, "utf8");
    bytes[length++] = NEWLINE;
    queued();
  };

  /** Copies a latin1 string's characters as bytes; false, with nothing kept, for any other. */
  const copyLatin1 = (text: string): boolean => {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > LATIN1_MAX) return false;
      bytes[length + i] = code;
    }
    length += text.length;
    return true;
  };

  const writeInteger = (n: number) => {
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    for (let at = length + digits - 1, rest = n; at >= length; at--) {
      bytes[at] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    length += digits;
  };

  return {
    write: writeText,

    request(method, target, status, ms) {
      const tenths = Math.round(ms * 10);
      // A status has three digits (Node refuses any other) and the milliseconds fit in 16.
      const numbers = tenths >= 0 && tenths <= Number.MAX_SAFE_INTEGER && status < 1000;
      makeRoom(method.length + target.length + NUMBERS_ROOM);
      const start = length;
      if (!numbers || !(status >= 0 && Number.isInteger(status)) || !copyLatin1(method)) {
        writeText(requestLine(method, target, status, ms));
        return;
      }
      bytes[length++] = SPACE;
      if (!copyLatin1(target)) {
        // Not what Node's parser gives: the line as text, as it reads.
        length = start;
        writeText(requestLine(method, target, status, ms));
        return;
      }
      bytes[length++] = SPACE;
      writeInteger(status);
      bytes[length++] = SPACE;
      const tenth = tenths % 10;
      writeInteger((tenths - tenth) / 10);
      bytes[length++] = DOT;
      bytes[length++] = ZERO + tenth;
      bytes[length++] = 0x6d; // m
      bytes[length++] = 0x73; // s
      bytes[length++] = NEWLINE;
      queued();
    },

    flush,
  };
}
