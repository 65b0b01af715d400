import type { OrderStatus } from "../domain/index.js";
import type { OrderProcessor } from "./order-processing.js";
import type { Clock, Logger, Store } from "./ports.js";
import type { InFlightKey } from "./recovery-ports.js";

/** What one sweep did: the orders it found stuck and where each ended up. */
export interface SweepSummary {
  /** Orders still PLACED or PROCESSING placed before the deadline. */
  found: number;
  /** How many ended in each status after their processing ran again. */
  statuses: Partial<Record<OrderStatus, number>>;
  /** Orders whose processing threw again: the next sweep tries them again. */
  failed: number;
  /** True when the sweep stopped at `maxOrders` with more left for the next one. */
  more: boolean;
}

export interface SweepOptions {
  /** An order placed longer ago than this and still in flight is stuck. */
  stuckAfterMs: number;
  /** At most this many orders per sweep, so that a sweep ends within its function's time. */
  maxOrders: number;
  /** Orders processed at once. */
  concurrency: number;
}

export interface OrderRecovery {
  /**
   * Runs the processing again for every order placed more than `stuckAfterMs` ago and still
   * PLACED or PROCESSING (its stream record exhausted its retries into the DLQ, or the process
   * running it died), oldest first. Processing is idempotent and the payment is recorded in
   * the store, so an order that was only slow is finished once and never charged twice.
   */
  sweep(options: SweepOptions): Promise<SweepSummary>;
}

export function createOrderRecovery(deps: {
  store: Store;
  processing: OrderProcessor;
  clock: Clock;
  log: Logger;
}): OrderRecovery {
  const { store, processing, log } = deps;
  return {
    async sweep({ stuckAfterMs, maxOrders, concurrency }) {
      const placedBefore = new Date(deps.clock.now().getTime() - stuckAfterMs).toISOString();
      const summary: SweepSummary = { found: 0, statuses: {}, failed: 0, more: false };
      let after: InFlightKey | undefined;
      do {
        const page = await store.listOrdersInFlight({
          placedBefore,
          limit: Math.min(concurrency, maxOrders - summary.found),
          after,
        });
        summary.found += page.orders.length;
        await Promise.all(
          page.orders.map(async (order) => {
            try {
              const status = await processing.processOrder({
                userId: order.userId,
                orderId: order.id,
              });
              if (status !== undefined) {
                summary.statuses[status] = (summary.statuses[status] ?? 0) + 1;
              }
            } catch (error) {
              summary.failed += 1;
              log({
                level: "error",
                message: "re-driving a stuck order failed; the next sweep tries again",
                orderId: order.id,
                error: error instanceof Error ? error.message : String(error),
              });
            }
          }),
        );
        after = page.next;
      } while (after !== undefined && summary.found < maxOrders);
      summary.more = after !== undefined;
      if (summary.found > 0) {
        log({ level: "warn", message: `re-drove ${summary.found} stuck order(s)`, ...summary });
      }
      return summary;
    },
  };
}
