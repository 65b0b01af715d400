import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../domain/index.js";
import type { Logger, OrderQueue, OrderRef } from "../services/index.js";

export interface InProcessQueue extends OrderQueue {
  /**
   * Takes no more orders, stops waiting to retry, and resolves once every accepted order is
   * processed or left as it is (for the next start to resume).
   */
  drain(): Promise<void>;
  /** True once `drain` was called. */
  readonly closed: boolean;
}

/** Attempts of an order whose processing fails for another reason than an unavailable store. */
const MAX_ATTEMPTS_ON_ERROR = 3;
const RETRY_BASE_DELAY_MS = 200;
const RETRY_MAX_DELAY_MS = 5_000;

const isStoreUnavailable = (error: unknown): boolean =>
  error instanceof AppError && error.code === "STORE_UNAVAILABLE";

/**
 * The dev server's stand-in for the DynamoDB stream: each enqueued order is processed in this
 * process once the current request has been answered, and retried with backoff when processing
 * throws (as Lambda retries a failed stream record). An unavailable store is waited out however
 * long it lasts, so an outage leaves no order in flight; another failure is retried a few times,
 * then logged. Processing is idempotent, so an order enqueued twice is processed once.
 */
export function createInProcessQueue(
  processOrder: (order: OrderRef) => Promise<unknown>,
  log: Logger,
): InProcessQueue {
  const running = new Set<Promise<void>>();
  const stopping = new AbortController();

  const run = async (order: OrderRef): Promise<void> => {
    // Let the checkout's answer go out before the processing starts.
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 1; ; attempt++) {
      try {
        await processOrder(order);
        return;
      } catch (error) {
        const transient = isStoreUnavailable(error);
        const last = stopping.signal.aborted || (!transient && attempt >= MAX_ATTEMPTS_ON_ERROR);
        log({
          level: last ? "error" : "warn",
          message: last
            ? stopping.signal.aborted
              ? "processing the order failed; the server is stopping, the next start resumes it"
              : "processing the order failed; giving up"
            : "processing the order failed; retrying",
          orderId: order.orderId,
          attempt,
          error: error instanceof Error ? error.message : String(error),
        });
        if (last) return;
        const delayMs = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (attempt - 1));
        try {
          await sleep(delayMs * (0.5 + Math.random() / 2), undefined, { signal: stopping.signal });
        } catch {
          return;
        }
      }
    }
  };

  return {
    async enqueue(order) {
      if (stopping.signal.aborted) {
        log({
          level: "warn",
          message: "the queue is closed; order not processed",
          orderId: order.orderId,
        });
        return;
      }
      const job = run(order);
      running.add(job);
      void job.finally(() => running.delete(job));
    },
    async drain() {
      stopping.abort();
      while (running.size > 0) await Promise.all([...running]);
    },
    get closed() {
      return stopping.signal.aborted;
    },
  };
}
