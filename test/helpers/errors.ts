import { expect } from "vitest";
import { AppError } from "../../src/domain/index.js";

/** The error `promise` rejects with, which must be one of ours. */
export async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}
