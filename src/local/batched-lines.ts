/** Lines to an output, written together. */
export interface BatchedLines {
  /** Queues a line (a newline is added); it is written within `flushEveryMs`, or sooner when many wait. */
  write(line: string): void;
  /** Writes what is queued now: before the process exits. */
  flush(): void;
}

export interface BatchLimits {
  /** The longest a queued line waits before it is written. */
  flushEveryMs: number;
  /** Queued text past this many characters is written at once. */
  maxPendingChars: number;
}

/** A person reading the log sees a line within a tenth of a second of its request. */
export const LOG_BATCH: BatchLimits = { flushEveryMs: 100, maxPendingChars: 16 * 1024 };

/**
 * Lines written together, at most `flushEveryMs` after the first of them: under load, one call
 * for hundreds of requests instead of one each (a write to a terminal, a pipe or a file is a
 * system call per call, a measurable share of a request to the dev server, BENCHMARKS.md).
 */
export function batchedLines(
  write: (text: string) => void,
  limits: BatchLimits = LOG_BATCH,
): BatchedLines {
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  return {
    write(line) {
      pending += `${line}\n`;
      if (pending.length >= limits.maxPendingChars) flush();
      else if (timer === undefined) {
        // A queued line never keeps the process alive: exit flushes it.
        timer = setTimeout(flush, limits.flushEveryMs);
        timer.unref();
      }
    },
    flush,
  };
}
