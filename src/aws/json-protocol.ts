// What the lean SES, Cognito and SSM clients read alike from AWS's JSON protocols (JSON 1.1 and
// REST-JSON): the region's public endpoint, an error answer as a named error, and which failures
// of a read are worth another try. The requests themselves are each client's own.
import { type HttpAnswer, isNetworkError } from "./aws-http.js";

/** An error answer of an AWS service, named after its error type (`UserNotFoundException`). */
export class AwsServiceError extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

/** The public endpoint of `service` (its host prefix) in `region`: China's regions have their own domain. */
export const regionalEndpoint = (service: string, region: string): string =>
  `https://${service}.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;

/**
 * The parsed body of a 2xx answer; for any other, throws `ServiceError` named after the error
 * type, as the SDK reads it: the `x-amzn-ErrorType` header (`MessageRejected:http://...`), else
 * the body's `__type` (`com.amazonaws...#Name`) or `code`.
 */
export function readJsonAnswer<T>(
  { statusCode, headers, text }: HttpAnswer,
  ServiceError: new (name: string, message: string, statusCode: number) => AwsServiceError,
): T {
  let body: Record<string, unknown> = {};
  try {
    if (text !== "") body = JSON.parse(text);
  } catch {
    // A proxy's HTML page: the status says enough.
  }
  if (statusCode >= 200 && statusCode < 300) return body as T;
  const typed = String(headers["x-amzn-errortype"] ?? body.__type ?? body.code ?? "");
  const name = (typed.split(":")[0] ?? "").split("#").pop() || `Http${statusCode}Error`;
  const message = body.message ?? body.Message;
  throw new ServiceError(name, typeof message === "string" ? message : name, statusCode);
}

const RETRYABLE_STATUS_CODES = new Set([429, 500, 502, 503, 504]);

/** A read changes nothing: a timeout is retried like throttling and a 5xx. */
export const isRetryableRead = (error: unknown): boolean =>
  error instanceof AwsServiceError
    ? RETRYABLE_STATUS_CODES.has(error.statusCode) || /TooManyRequests|Throttl/.test(error.name)
    : isNetworkError(error);
