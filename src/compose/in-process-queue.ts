import { setTimeout as sleep } from "node:timers/promises";
import type { Logger, OrderQueue, OrderRef } from "../services/index.js";

export interface InProcessQueue extends OrderQueue {
  /** Takes no more orders and resolves once every accepted one is processed (or given up). */
  drain(): Promise<void>;
}

const MAX_ATTEMPTS = 3;
const RETRY_DELAY_MS = 200;

/**
 * The dev server's stand-in for the DynamoDB stream: each enqueued order is processed in this
 * process once the current request has been answered, retried a few times when processing
 * throws (as Lambda retries a failed stream record). Processing is idempotent, so an order
 * enqueued twice is processed once.
 */
export function createInProcessQueue(
  processOrder: (order: OrderRef) => Promise<unknown>,
  log: Logger,
): InProcessQueue {
  const running = new Set<Promise<void>>();
  let closed = false;

  const run = async (order: OrderRef): Promise<void> => {
    // Let the checkout's answer go out before the processing starts.
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 1; ; attempt++) {
      try {
        await processOrder(order);
        return;
      } catch (error) {
        const last = attempt >= MAX_ATTEMPTS;
        log({
          level: last ? "error" : "warn",
          message: last
            ? "processing the order failed; giving up"
            : "processing the order failed; retrying",
          orderId: order.orderId,
          attempt,
          error: error instanceof Error ? error.message : String(error),
        });
        if (last) return;
        await sleep(RETRY_DELAY_MS * attempt);
      }
    }
  };

  return {
    async enqueue(order) {
      if (closed) {
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
      closed = true;
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
