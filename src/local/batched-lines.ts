/** Lines to an output, written together. */
export interface BatchedLines {
  /** Queues a line (a newline is added); it is written at the end of this turn of the event loop. */
  write(line: string): void;
  /** Writes what is queued now: before the process exits. */
  flush(): void;
}

/**
 * The lines of one turn of the event loop in one `write`: under load, one call for all the
 * requests answered together instead of one each (a write to a terminal, a pipe or a file is a
 * system call per call, a measurable share of a request to the dev server).
 */
export function batchedLines(write: (text: string) => void): BatchedLines {
  let pending = "";
  const flush = () => {
    if (pending === "") return;
    const text = pending;
    pending = "";
    write(text);
  };
  return {
    write(line) {
      if (pending === "") setImmediate(flush);
      pending += `${line}\n`;
    },
    flush,
  };
}
