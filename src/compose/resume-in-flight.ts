import { setTimeout as sleep } from "node:timers/promises";
import type { Clock, InFlightKey, Logger, Store } from "../services/index.js";
import type { InProcessQueue } from "./in-process-queue.js";

const PAGE_SIZE = 100;
const RETRY_DELAY_MS = 1_000;

/**
 * What the dev server does on start: every order a previous run left PLACED or PROCESSING (it
 * was killed mid-processing, or stopped during an outage) goes back into the queue, which
 * finishes it; processing is idempotent and the payment is recorded in the store, so an order
 * is never charged twice. Reading the list waits out an unavailable store; it stops when the
 * queue closes. Answers how many orders were resumed.
 */
export async function resumeOrdersInFlight(deps: {
  store: Pick<Store, "listOrdersInFlight">;
  queue: InProcessQueue;
  clock: Clock;
  log: Logger;
}): Promise<number> {
  const { store, queue, log } = deps;
  // Orders placed from now on reach the queue from their checkout.
  const placedBefore = deps.clock.now().toISOString();
  let after: InFlightKey | undefined;
  let resumed = 0;
  while (!queue.closed) {
    try {
      const page = await store.listOrdersInFlight({ placedBefore, limit: PAGE_SIZE, after });
      for (const order of page.orders) {
        await queue.enqueue({ userId: order.userId, orderId: order.id });
      }
      resumed += page.orders.length;
      after = page.next;
      if (after === undefined) break;
    } catch (error) {
      log({
        level: "warn",
        message: "listing the orders left in flight failed; retrying",
        error: error instanceof Error ? error.message : String(error),
      });
      await sleep(RETRY_DELAY_MS);
    }
  }
  if (resumed > 0) {
    log({ level: "info", message: `resumed ${resumed} order(s) left in flight`, resumed });
  }
  return resumed;
}
