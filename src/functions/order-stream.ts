import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import * as z from "zod/mini";
import { compose, loadConfig } from "../compose/index.js";
import type { Logger, MailSender, OrderProcessor, OrderRef } from "../services/index.js";

export type OrderStreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** The part of an order item's NEW_IMAGE the processing needs; other items fail to parse. */
const placedOrderImage = z.object({
  type: z.literal("ORDER"),
  status: z.literal("PLACED"),
  id: z.string().check(z.minLength(1)),
  userId: z.string().check(z.minLength(1)),
});

/** The part of an outbox message's NEW_IMAGE the sending needs: its id. */
const outboxMessageImage = z.object({
  type: z.literal("MAIL"),
  id: z.string().check(z.minLength(1)),
});

/** An inserted item's NEW_IMAGE, as plain values; undefined for any other record. */
function insertedImage(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== "INSERT" || image === undefined) return undefined;
  // The stream's attribute values are the wire format the SDK's own type describes (binary as
  // base64 text instead of bytes); these images hold no binary, so the shapes agree here.
  return unmarshall(image as Record<string, AttributeValue>);
}

/** The order a stream record announces: an INSERT of an order item in its PLACED state. */
export function placedOrderOf(record: DynamoDBRecord): OrderRef | undefined {
  const image = insertedImage(record);
  const parsed = image === undefined ? undefined : z.safeParse(placedOrderImage, image);
  return parsed?.success ? { userId: parsed.data.userId, orderId: parsed.data.id } : undefined;
}

/** The outbox message a stream record announces (its id): an INSERT of a `MAIL` item. */
export function outboxMessageIdOf(record: DynamoDBRecord): string | undefined {
  const image = insertedImage(record);
  const parsed = image === undefined ? undefined : z.safeParse(outboxMessageImage, image);
  return parsed?.success ? parsed.data.id : undefined;
}

/** What the stream function needs of the outbox (`services.mail`): sending one message now. */
export type MailDelivery = Pick<MailSender, "deliver">;

/** One record's work: an order to process, a message to send, or nothing. */
type RecordWork = { kind: "order"; order: OrderRef } | { kind: "mail"; id: string } | undefined;

function workOf(record: DynamoDBRecord): RecordWork {
  const order = placedOrderOf(record);
  if (order !== undefined) return { kind: "order", order };
  const id = outboxMessageIdOf(record);
  return id === undefined ? undefined : { kind: "mail", id };
}

/**
 * The processing function's handler: every record that inserts a PLACED order is processed with
 * `processor`, every record that inserts an outbox message is sent with `mail` (concurrently);
 * every other record is ignored. A record whose work throws is reported in `batchItemFailures`
 * (the event source needs `ReportBatchItemFailures`), so Lambda retries from it; both are
 * idempotent, so records retried with it change nothing twice (a message already sent is
 * skipped). A send that fails is not a failed record: the outbox keeps the try and the sweeper
 * sends the message again when it is due.
 */
export function orderStreamHandler(
  processor: OrderProcessor,
  log: Logger,
  mail: MailDelivery,
): OrderStreamHandler {
  return async (event) => {
    const failures = await Promise.all(
      event.Records.map(async (record) => {
        const work = workOf(record);
        if (work === undefined) return undefined;
        try {
          if (work.kind === "order") await processor.processOrder(work.order);
          else await mail.deliver(work.id);
          return undefined;
        } catch (error) {
          log({
            level: "error",
            message:
              work.kind === "order"
                ? "processing the order failed; the record will be retried"
                : "sending the order e-mail failed; the record will be retried",
            ...(work.kind === "order" ? { orderId: work.order.orderId } : { mailId: work.id }),
            error: error instanceof Error ? error.message : String(error),
          });
          return record.dynamodb?.SequenceNumber ?? record.eventID ?? "";
        }
      }),
    );
    return {
      batchItemFailures: failures.flatMap((id) =>
        id === undefined ? [] : [{ itemIdentifier: id }],
      ),
    };
  };
}

/**
 * The Lambda handler of the order-processing function, triggered by the table's DynamoDB stream
 * (NEW_IMAGE). Composes the application once from the environment; posts updates to
 * WEBSOCKET_ENDPOINT and sends order e-mails with the configured mailer (SES in AWS).
 */
export async function createOrderStreamHandler(): Promise<OrderStreamHandler> {
  const app = await compose(loadConfig(), { routes: [], opening: "deferred" });
  return orderStreamHandler(app.services.processing, app.log, app.services.mail);
}
