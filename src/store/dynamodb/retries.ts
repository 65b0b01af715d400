// How the adapter tells "DynamoDB is busy or briefly broken" from a refusal or a bug of its own,
// and what it retries on top of the client's own request retries.
import { setTimeout as sleep } from "node:timers/promises";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { backoffMs, isNetworkError } from "../../aws/aws-http.js";
import { AppError, storeUnavailable } from "../../domain/index.js";
import { type CancellationReason, DynamoDbServiceError } from "./client.js";
import type { DynamoDbDocuments } from "./documents.js";

/** Attempts of a transaction cancelled only because another transaction held one of its items. */
const TRANSACTION_MAX_ATTEMPTS = 5;
const TRANSACTION_BASE_DELAY_MS = 25;
const TRANSACTION_MAX_DELAY_MS = 400;

/** Service errors that mean "busy or briefly broken", left over after the client's retries. */
const UNAVAILABLE_ERRORS = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionConflictException",
  "TransactionInProgressException",
]);
/** Cancellation codes of a transaction item that a later retry may not meet again. */
const UNAVAILABLE_REASONS = new Set(["ThrottlingError", "ProvisionedThroughputExceeded"]);

/** Backend failures a client should retry later, as opposed to bugs in our own requests. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof DynamoDbServiceError) {
    return UNAVAILABLE_ERRORS.has(error.name) || error.$fault === "server";
  }
  return isNetworkError(error);
}

/** DynamoDB's answer when the table (or an index) the request names does not exist. */
export const isMissingTable = (error: unknown): boolean =>
  error instanceof DynamoDbServiceError && error.name === "ResourceNotFoundException";

/**
 * Runs one unit of store work and turns a backend failure into STORE_UNAVAILABLE. AWS's text
 * stays in `cause` only: it names tables, keys and expressions, which no client should see. A
 * missing table is a misconfiguration, not a bug of the request: STORE_UNAVAILABLE too (the
 * table may be restored), after `onMissingTable` has had its say.
 */
export async function guarded<T>(
  work: () => Promise<T>,
  onMissingTable?: (error: unknown) => void,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (isMissingTable(error)) {
      onMissingTable?.(error);
      throw storeUnavailable(error);
    }
    if (!isUnavailable(error)) throw error;
    throw storeUnavailable(error);
  }
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof DynamoDbServiceError && error.name === "ConditionalCheckFailedException";

/** Whether a transaction item's condition is what cancelled it. */
export const failed = (reason: CancellationReason | undefined): boolean =>
  reason?.Code === "ConditionalCheckFailed";

export type TransactItems = TransactWriteCommandInput["TransactItems"];

/** A transaction DynamoDB cancelled, with one reason per item in the order of the items. */
export interface Cancelled {
  written: false;
  reasons: CancellationReason[];
  /** Other transactions still held items after every retry: no reason is a verdict. */
  contended: boolean;
  error: DynamoDbServiceError;
}

/** Either the transaction was written, or DynamoDB refused it. */
export type TransactOutcome = { written: true } | Cancelled;

/**
 * Sends one TransactWriteItems. A cancellation caused by another transaction on the same items
 * is retried with jittered backoff, since DynamoDB re-evaluates every condition on each try.
 */
export async function transact(
  documents: DynamoDbDocuments,
  transactItems: TransactItems,
): Promise<TransactOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      await documents.transactWrite({ TransactItems: transactItems });
      return { written: true };
    } catch (error) {
      if (!(error instanceof DynamoDbServiceError)) throw error;
      if (error.name !== "TransactionCanceledException") throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons.some((reason) => UNAVAILABLE_REASONS.has(reason.Code ?? ""))) {
        throw storeUnavailable(error);
      }
      if (!reasons.some((reason) => reason.Code === "TransactionConflict")) {
        return { written: false, reasons, contended: false, error };
      }
      if (attempt >= TRANSACTION_MAX_ATTEMPTS) {
        return { written: false, reasons, contended: true, error };
      }
      await sleep(backoffMs(attempt, TRANSACTION_BASE_DELAY_MS, TRANSACTION_MAX_DELAY_MS));
    }
  }
}

/** What the failed condition of one item means, as the error to throw. */
export type Refusal = (reason: CancellationReason) => Error;

/**
 * What to throw for a cancelled transaction: `whenContended` when other transactions still held
 * its items after the retries (STORE_UNAVAILABLE unless said otherwise); else the refusal of the
 * first item whose condition failed and that has one in `refusals` (by item index); else the
 * cancellation itself, which then is a bug of ours.
 */
export function refusalOf(
  cancelled: Cancelled,
  refusals: readonly (Refusal | undefined)[] = [],
  whenContended: (cause: unknown) => Error = storeUnavailable,
): Error {
  if (cancelled.contended) return whenContended(cancelled.error);
  for (const [index, reason] of cancelled.reasons.entries()) {
    const refusal = refusals[index];
    if (failed(reason) && refusal !== undefined) return refusal(reason);
  }
  return cancelled.error;
}

/** `transact`, throwing `refusalOf` the outcome when DynamoDB cancels the transaction. */
export async function transactOrRefuse(
  documents: DynamoDbDocuments,
  transactItems: TransactItems,
  refusals: readonly (Refusal | undefined)[] = [],
  whenContended?: (cause: unknown) => Error,
): Promise<void> {
  const outcome = await transact(documents, transactItems);
  if (!outcome.written) throw refusalOf(outcome, refusals, whenContended);
}
