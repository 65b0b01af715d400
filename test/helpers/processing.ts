import type { DueMailSender, MailDelivery } from "../../src/functions/index.js";
import { createDemoPaymentProvider } from "../../src/payment/index.js";
import type { Notifier, OrderProcessor, OrderUpdate, Store } from "../../src/services/index.js";
import { createOrderProcessor } from "../../src/services/order-processing.js";

/** A notifier double that records what it was asked to send, for counting. */
export interface RecordingNotifier extends Notifier {
  sent: { userId: string; message: OrderUpdate }[];
  /** The statuses sent about `orderId`, in order. */
  statusesOf(orderId: string): string[];
}

export function recordingNotifier(): RecordingNotifier {
  const sent: RecordingNotifier["sent"] = [];
  return {
    sent,
    async notify(userId, message) {
      sent.push({ userId, message });
    },
    statusesOf: (orderId) =>
      sent.filter((s) => s.message.orderId === orderId).map((s) => s.message.status),
  };
}

/** The processing of the services over `store`, with the demo payment and a recording notifier. */
export function processorOver(
  store: Store,
  options: { mode?: "approve" | "decline"; delayMs?: number } = {},
): { processor: OrderProcessor; notifier: RecordingNotifier } {
  const notifier = recordingNotifier();
  const processor = createOrderProcessor({
    store,
    payment: createDemoPaymentProvider(
      { mode: options.mode ?? "approve", delayMs: options.delayMs ?? 10 },
      { ledger: store },
    ),
    notifier,
    log: () => {},
  });
  return { processor, notifier };
}

/** `store`, counting the status changes it made (`PLACED->PROCESSING`, ...), losers left out. */
export function countStatusChanges(store: Store): { store: Store; changes: string[] } {
  const changes: string[] = [];
  const counting = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (property !== "changeOrderStatus") return value.bind(target);
      return async (change: Parameters<Store["changeOrderStatus"]>[0]) => {
        const changed = await target.changeOrderStatus(change);
        if (changed !== undefined) changes.push(`${change.from}->${change.to}`);
        return changed;
      };
    },
  });
  return { store: counting, changes };
}

/**
 * The outbox's sending (`services.mail`) over `store`, as far as the stream and sweeper functions
 * use it, with a mail service that takes every message: `sent` holds the ids sent, in order. A
 * message already sent, or unknown, is skipped.
 */
export function recordingMail(
  store: Store,
  now: () => Date = () => new Date(),
): MailDelivery & DueMailSender & { sent: string[] } {
  const sent: string[] = [];
  const deliver = async (id: string) => {
    const message = await store.getMail(id);
    if (message === undefined || message.sentAt !== undefined) return "skipped" as const;
    if (!(await store.markMailSent(id, now().toISOString(), message.attempts + 1))) {
      return "skipped" as const;
    }
    sent.push(id);
    return "sent" as const;
  };
  return {
    sent,
    deliver,
    async sendDue({ limit }) {
      const page = await store.listDueMail({ dueBy: now().toISOString(), limit });
      let count = 0;
      for (const message of page.items) if ((await deliver(message.id)) === "sent") count += 1;
      return { sent: count, retried: 0, failed: 0, more: page.next !== undefined };
    },
  };
}
