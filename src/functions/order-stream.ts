import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import * as z from "zod/mini";
import { compose, loadConfig } from "../compose/index.js";
import type { Logger, OrderProcessor, OrderRef } from "../services/index.js";

export type OrderStreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** The part of an order item's NEW_IMAGE the processing needs; other items fail to parse. */
const placedOrderImage = z.object({
  type: z.literal("ORDER"),
  status: z.literal("PLACED"),
  id: z.string().check(z.minLength(1)),
  userId: z.string().check(z.minLength(1)),
});

/** The order a stream record announces: an INSERT of an order item in its PLACED state. */
export function placedOrderOf(record: DynamoDBRecord): OrderRef | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== "INSERT" || image === undefined) return undefined;
  // The stream's attribute values are the wire format the SDK's own type describes (binary as
  // base64 text instead of bytes); an order image holds no binary, so the shapes agree here.
  const parsed = z.safeParse(placedOrderImage, unmarshall(image as Record<string, AttributeValue>));
  return parsed.success ? { userId: parsed.data.userId, orderId: parsed.data.id } : undefined;
}

/**
 * The processing function's handler over `processor`: every record that inserts a PLACED order
 * is processed (concurrently), every other record ignored. A record whose processing throws is
 * reported in `batchItemFailures` (the event source needs `ReportBatchItemFailures`), so Lambda
 * retries from it; processing is idempotent, so records retried with it change nothing twice.
 */
export function orderStreamHandler(processor: OrderProcessor, log: Logger): OrderStreamHandler {
  return async (event) => {
    const failures = await Promise.all(
      event.Records.map(async (record) => {
        const order = placedOrderOf(record);
        if (order === undefined) return undefined;
        try {
          await processor.processOrder(order);
          return undefined;
        } catch (error) {
          log({
            level: "error",
            message: "processing the order failed; the record will be retried",
            orderId: order.orderId,
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
 * WEBSOCKET_ENDPOINT.
 */
export async function createOrderStreamHandler(): Promise<OrderStreamHandler> {
  const app = await compose(loadConfig(), { routes: [], opening: "deferred" });
  return orderStreamHandler(app.services.processing, app.log);
}
