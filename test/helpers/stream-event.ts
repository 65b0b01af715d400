import { randomUUID } from "node:crypto";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { Order, OutboxMessage } from "../../src/domain/index.js";
import { orderItem } from "../../src/store/dynamodb/items.js";
import { DEFAULT_LAYOUT, STREAM_VIEW_TYPE } from "../../src/store/dynamodb/table.js";

export const STREAM_ARN =
  "arn:aws:dynamodb:eu-west-1:123456789012:table/serverless-store/stream/2026-11-25T00:00:00.000";

type Image = NonNullable<NonNullable<DynamoDBRecord["dynamodb"]>["NewImage"]>;

let sequence = 100_000_000_000_000_000_000n;

export interface StreamRecordOptions {
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  /** The item after the change (absent for REMOVE), as the table holds it. */
  newImage?: Record<string, unknown>;
  keys: { PK: string; SK: string };
}

/**
 * One record of the table's stream as Lambda hands it over (view type NEW_IMAGE): attribute
 * values in DynamoDB's wire format, a growing sequence number, the stream's ARN.
 */
export function streamRecord(options: StreamRecordOptions): DynamoDBRecord {
  sequence += 1n;
  // Through JSON, as Lambda receives it: DynamoDB's wire format of the item.
  const image =
    options.newImage === undefined
      ? undefined
      : (JSON.parse(JSON.stringify(marshall(options.newImage))) as Image);
  return {
    eventID: randomUUID().replaceAll("-", ""),
    eventName: options.eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "eu-west-1",
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { PK: { S: options.keys.PK }, SK: { S: options.keys.SK } },
      ...(image === undefined ? {} : { NewImage: image }),
      SequenceNumber: sequence.toString(),
      SizeBytes: JSON.stringify(image ?? {}).length,
      StreamViewType: STREAM_VIEW_TYPE,
    },
    eventSourceARN: STREAM_ARN,
  };
}

/** The record of an order as the DynamoDB adapter stores it (`orderItem`), inserted or modified. */
export function orderRecord(
  order: Order,
  eventName: "INSERT" | "MODIFY" = "INSERT",
): DynamoDBRecord {
  const item = orderItem(order, DEFAULT_LAYOUT);
  return streamRecord({
    eventName,
    newImage: item,
    keys: { PK: String(item.PK), SK: String(item.SK) },
  });
}

export const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({
  Records: records,
});

/**
 * The record of an outbox message as the DynamoDB adapter stores it (brief-seams: PK
 * `ORDER#<orderId>`, SK `MAIL#<kind>`, `type: "MAIL"`), inserted.
 */
export function outboxRecord(message: OutboxMessage): DynamoDBRecord {
  const keys = { PK: `ORDER#${message.orderId}`, SK: `MAIL#${message.kind}` };
  return streamRecord({
    eventName: "INSERT",
    newImage: { ...keys, type: "MAIL", ...message },
    keys,
  });
}
