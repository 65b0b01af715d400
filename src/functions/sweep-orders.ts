import type { ScheduledEvent } from "aws-lambda";
import { compose, loadConfig } from "../compose/index.js";
import type { OrderRecovery, SweepOptions, SweepSummary } from "../services/index.js";

export type SweepHandler = (event: ScheduledEvent) => Promise<SweepSummary>;

/**
 * How the sweeper runs: an order placed this long ago and still in flight is stuck (well past
 * the stream's own retries of a record, so the sweep rarely meets an order that is merely slow,
 * and finishing one twice changes nothing); it sweeps a bounded number each run, a few at once.
 */
export const SWEEP: SweepOptions = { stuckAfterMs: 10 * 60_000, maxOrders: 200, concurrency: 10 };

/** The sweeper's handler over `recovery`: one sweep per scheduled event. */
export function sweepHandler(recovery: OrderRecovery, options: SweepOptions = SWEEP): SweepHandler {
  return async () => recovery.sweep(options);
}

/**
 * The Lambda handler of the sweeper function, run on a schedule (deploy/): re-drives the orders
 * stuck PLACED or PROCESSING through the processing the stream function runs, so that a record
 * that went to the dead-letter queue, or a run that died, leaves no order in flight for good.
 */
export async function createSweepHandler(): Promise<SweepHandler> {
  const app = await compose(loadConfig(), { routes: [] });
  return sweepHandler(app.services.recovery);
}
