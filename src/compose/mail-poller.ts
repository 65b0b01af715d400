import { setTimeout as sleep } from "node:timers/promises";
import type { Logger, MailSender } from "../services/index.js";

export interface MailPoller {
  /** Stops polling and resolves once the round under way (if any) has finished. */
  stop(): Promise<void>;
}

/** Messages sent per round at most: a backlog is worked off round after round. */
const ROUND_LIMIT = 50;

/**
 * The dev server's stand-in for the stream function's sending: a round of `sendDue` at once (so
 * the messages a killed run left unsent go out after a restart), then one every `intervalMs`,
 * and straight again while a round leaves more due. One round at a time: a message is never
 * being sent by two rounds of this process.
 */
export function startMailPoller(deps: {
  mail: MailSender;
  log: Logger;
  intervalMs: number;
}): MailPoller {
  const { mail, log, intervalMs } = deps;
  const stopping = new AbortController();
  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let more = false;
      try {
        ({ more } = await mail.sendDue({ limit: ROUND_LIMIT }));
      } catch (error) {
        log({
          level: "warn",
          message: "listing the order e-mails due failed; retrying",
          error: error instanceof Error ? error.message : String(error),
        });
      }
      if (more) continue;
      try {
        await sleep(intervalMs, undefined, { signal: stopping.signal });
      } catch {
        return;
      }
    }
  };
  const running = run();
  return {
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
