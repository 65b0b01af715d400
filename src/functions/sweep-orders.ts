import type { ScheduledEvent } from "aws-lambda";
import { compose, loadConfig } from "../compose/index.js";
import type {
  Logger,
  MailSender,
  OrderRecovery,
  SweepOptions,
  SweepSummary,
} from "../services/index.js";

/** What one sweep did: the orders it re-drove, and the due e-mails it sent. */
export interface SweepRunSummary extends SweepSummary {
  mail: DueMailSummary;
}

export type SweepHandler = (event: ScheduledEvent) => Promise<SweepRunSummary>;

/** What the sweeper needs of the outbox (`services.mail`): sending the messages now due. */
export type DueMailSender = Pick<MailSender, "sendDue">;

/** What one run's sending did; `more`: more were due than one run sends, the next goes on. */
export type DueMailSummary = Awaited<ReturnType<MailSender["sendDue"]>>;

/**
 * How the sweeper runs: an order placed this long ago and still in flight is stuck (well past
 * the stream's own retries of a record, so the sweep rarely meets an order that is merely slow,
 * and finishing one twice changes nothing); it sweeps a bounded number each run, a few at once.
 */
export const SWEEP: SweepOptions = { stuckAfterMs: 10 * 60_000, maxOrders: 200, concurrency: 10 };

/**
 * The due e-mails one run sends at most: the retries of failed sends (their backoff elapsed) and
 * messages whose stream record was lost; the stream sends every other one as it is written.
 */
export const MAIL_SWEEP = { limit: 100 };

/**
 * The sweeper's handler: per scheduled event, one sweep of stuck orders, then one of due e-mails
 * (so the messages the first writes go out in the same run). A failed order sweep does not keep
 * the e-mails waiting (nor the other way round): it is logged, the e-mails are sent, and the run
 * then fails with it, so the sweeper's errors alarm sees it.
 */
export function sweepHandler(
  services: { recovery: OrderRecovery; mail: DueMailSender },
  log: Logger,
  options: SweepOptions = SWEEP,
): SweepHandler {
  return async () => {
    let orders: SweepSummary | undefined;
    let failure: unknown;
    try {
      orders = await services.recovery.sweep(options);
    } catch (error) {
      failure = error;
      log({
        level: "error",
        message: "sweeping the orders in flight failed; sending the due e-mails still",
        error: error instanceof Error ? error.message : String(error),
      });
    }
    const mail = await services.mail.sendDue(MAIL_SWEEP);
    if (mail.more) {
      log({
        level: "warn",
        message: "more order e-mails were due than one sweep sends; the next sweep goes on",
        sent: mail.sent,
      });
    }
    if (orders === undefined) throw failure;
    return { ...orders, mail };
  };
}

/**
 * The Lambda handler of the sweeper function, run on a schedule (deploy/): re-drives the orders
 * stuck PLACED or PROCESSING through the processing the stream function runs, so that a record
 * that went to the dead-letter queue, or a run that died, leaves no order in flight for good;
 * and sends the order e-mails that are due (a failed send's retry, a lost record's message).
 */
export async function createSweepHandler(): Promise<SweepHandler> {
  const app = await compose(loadConfig(), { routes: [] });
  return sweepHandler(app.services, app.log);
}
