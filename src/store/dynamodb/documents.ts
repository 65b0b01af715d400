import { randomUUID } from "node:crypto";
import type {
  AttributeValue,
  CreateTableCommandInput,
  DescribeTableCommandOutput,
} from "@aws-sdk/client-dynamodb";
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteCommandInput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { type DynamoDbClient, DynamoDbServiceError } from "./client.js";

/** What an operation answers, without the SDK's response metadata. */
type Answer<T> = Omit<T, "$metadata">;
type Item = Record<string, unknown>;
type Attributes = Record<string, AttributeValue>;

// Undefined attributes are left out, as the adapter's items carry optional fields.
const MARSHALL_OPTIONS = { removeUndefinedValues: true } as const;

type Convert = (item: Item) => Item;
const toWire: Convert = (item) => marshall(item, MARSHALL_OPTIONS);
const fromWire: Convert = (attributes) => unmarshall(attributes as Attributes);

/** A copy of `shape` with the item-valued `fields` converted by `convert`. */
function converted<T extends object>(shape: T, fields: readonly string[], convert: Convert): T {
  const copy = { ...shape } as Record<string, unknown>;
  for (const field of fields) {
    const value = copy[field];
    if (value !== undefined) copy[field] = convert(value as Item);
  }
  return copy as T;
}

const ITEM_FIELDS = ["Key", "Item", "ExpressionAttributeValues", "ExclusiveStartKey"] as const;
const ANSWER_FIELDS = ["Item", "Attributes", "LastEvaluatedKey"] as const;

const inputToWire = <T extends object>(input: T): T => converted(input, ITEM_FIELDS, toWire);
const answerFromWire = <T extends object>(answer: T): T =>
  converted(answer, ANSWER_FIELDS, fromWire);

/** `{ table: list }` with every list mapped by `convert`. */
const perTable = <A, B>(tables: Record<string, A>, convert: (value: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(tables).map(([table, value]) => [table, convert(value)]));

type KeysAndAttributes = { Keys?: Item[] };
type WriteRequest = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };

const keysTo =
  (convert: Convert) =>
  (request: KeysAndAttributes): KeysAndAttributes => ({
    ...request,
    ...(request.Keys === undefined ? {} : { Keys: request.Keys.map(convert) }),
  });

const writesTo = (convert: Convert) => (requests: WriteRequest[]) =>
  requests.map((request) => ({
    ...(request.PutRequest === undefined
      ? {}
      : { PutRequest: converted(request.PutRequest, ["Item"], convert) }),
    ...(request.DeleteRequest === undefined
      ? {}
      : { DeleteRequest: converted(request.DeleteRequest, ["Key"], convert) }),
  }));

/**
 * DynamoDB's item operations on plain JavaScript values, over the lean client: the same inputs
 * and outputs as `@aws-sdk/lib-dynamodb`'s commands of the same names (`GetCommand` -> `get`),
 * marshalled with `@aws-sdk/util-dynamodb` as the SDK's document client does.
 */
export class DynamoDbDocuments {
  constructor(readonly client: DynamoDbClient) {}

  async get(input: GetCommandInput): Promise<Answer<GetCommandOutput>> {
    return answerFromWire(await this.client.send("GetItem", inputToWire(input)));
  }

  async put(input: PutCommandInput): Promise<Answer<PutCommandOutput>> {
    return answerFromWire(await this.client.send("PutItem", inputToWire(input)));
  }

  async update(input: UpdateCommandInput): Promise<Answer<UpdateCommandOutput>> {
    return answerFromWire(await this.client.send("UpdateItem", inputToWire(input)));
  }

  async delete(input: DeleteCommandInput): Promise<Answer<DeleteCommandOutput>> {
    return answerFromWire(await this.client.send("DeleteItem", inputToWire(input)));
  }

  async query(input: QueryCommandInput): Promise<Answer<QueryCommandOutput>> {
    const answer = await this.client.send<{ Items?: Item[] }>("Query", inputToWire(input));
    return answerFromWire({
      ...answer,
      ...(answer.Items === undefined ? {} : { Items: answer.Items.map(fromWire) }),
    });
  }

  /** One page of a Scan (or of one segment of a parallel Scan): for one-off migrations only. */
  async scan(input: ScanCommandInput): Promise<Answer<ScanCommandOutput>> {
    const answer = await this.client.send<{ Items?: Item[] }>("Scan", inputToWire(input));
    return answerFromWire({
      ...answer,
      ...(answer.Items === undefined ? {} : { Items: answer.Items.map(fromWire) }),
    });
  }

  async batchGet(input: BatchGetCommandInput): Promise<Answer<BatchGetCommandOutput>> {
    const { RequestItems = {}, ...rest } = input;
    const answer = await this.client.send<{
      Responses?: Record<string, Item[]>;
      UnprocessedKeys?: Record<string, KeysAndAttributes>;
    }>("BatchGetItem", {
      ...rest,
      RequestItems: perTable(RequestItems as Record<string, KeysAndAttributes>, keysTo(toWire)),
    });
    return {
      ...answer,
      ...(answer.Responses === undefined
        ? {}
        : { Responses: perTable(answer.Responses, (items) => items.map(fromWire)) }),
      ...(answer.UnprocessedKeys === undefined
        ? {}
        : { UnprocessedKeys: perTable(answer.UnprocessedKeys, keysTo(fromWire)) }),
    } as Answer<BatchGetCommandOutput>;
  }

  async batchWrite(input: BatchWriteCommandInput): Promise<Answer<BatchWriteCommandOutput>> {
    const { RequestItems = {}, ...rest } = input;
    const answer = await this.client.send<{
      UnprocessedItems?: Record<string, WriteRequest[]>;
    }>("BatchWriteItem", {
      ...rest,
      RequestItems: perTable(RequestItems as Record<string, WriteRequest[]>, writesTo(toWire)),
    });
    return {
      ...answer,
      ...(answer.UnprocessedItems === undefined
        ? {}
        : { UnprocessedItems: perTable(answer.UnprocessedItems, writesTo(fromWire)) }),
    } as Answer<BatchWriteCommandOutput>;
  }

  /**
   * One TransactWriteItems. A cancellation throws DynamoDbServiceError
   * `TransactionCanceledException` whose reasons carry their `Item` (asked for with
   * `ReturnValuesOnConditionCheckFailure`) as plain values.
   */
  async transactWrite(input: TransactWriteCommandInput): Promise<void> {
    const TransactItems = (input.TransactItems ?? []).map((item) =>
      Object.fromEntries(
        Object.entries(item).map(([kind, action]) => [kind, inputToWire(action as object)]),
      ),
    );
    // The SDK fills this idempotency token in by itself: with it, an HTTP retry of a transaction
    // that did commit (a timeout, a reset after the request went out) succeeds again instead of
    // failing the conditions its own first attempt changed. One token per call, so a retry of
    // the store's own (after a conflict) is a new transaction.
    const ClientRequestToken = input.ClientRequestToken ?? randomUUID();
    try {
      await this.client.send("TransactWriteItems", { ...input, TransactItems, ClientRequestToken });
    } catch (error) {
      if (error instanceof DynamoDbServiceError && error.CancellationReasons !== undefined) {
        error.CancellationReasons = error.CancellationReasons.map((reason) =>
          converted(reason, ["Item"], fromWire),
        );
      }
      throw error;
    }
  }

  /** For local tables: the deployment creates the table in AWS. */
  async createTable(input: CreateTableCommandInput): Promise<void> {
    await this.client.send("CreateTable", input);
  }

  async describeTable(tableName: string): Promise<Answer<DescribeTableCommandOutput>> {
    return this.client.send("DescribeTable", { TableName: tableName });
  }
}
