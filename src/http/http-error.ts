import type { ErrorCode } from "../domain/index.js";

/**
 * Refusals only the HTTP edge makes (405, 413, 415, and the server's own 400, 408 and 431 for a
 * request it could not even parse): no service or store can produce them.
 */
export type HttpErrorCode =
  | "METHOD_NOT_ALLOWED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "MALFORMED_REQUEST"
  | "REQUEST_TIMEOUT"
  | "HEADERS_TOO_LARGE";

/** Every code a problem document can carry: the domain's and the edge's own. */
export type ProblemCode = ErrorCode | HttpErrorCode;

/** A refusal of the HTTP edge itself, mapped to problem+json with the domain's AppErrors. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  /** Methods the resource does allow: the `Allow` header of a 405. */
  readonly allow: readonly string[] | undefined;

  constructor(
    readonly code: HttpErrorCode,
    detail: string,
    allow?: readonly string[],
  ) {
    super(detail);
    this.allow = allow;
  }
}

export const methodNotAllowed = (
  method: string,
  resource: string,
  allow: readonly string[],
): HttpError =>
  new HttpError("METHOD_NOT_ALLOWED", `${method} is not allowed on ${resource}`, allow);

export const payloadTooLarge = (maxBodyBytes: number): HttpError =>
  new HttpError("PAYLOAD_TOO_LARGE", `the body is larger than ${maxBodyBytes} bytes`);

export const unsupportedMediaType = (contentType: string | undefined): HttpError =>
  new HttpError(
    "UNSUPPORTED_MEDIA_TYPE",
    `send the body as application/json (got ${contentType === undefined ? "no Content-Type" : "another type"})`,
  );

/**
 * What an HTTP server answers a request it could not parse (Node's `clientError`): 431 for a
 * request line or headers past its limit, 408 when they did not arrive in time, 400 otherwise
 * (a bad Content-Length, a malformed header).
 */
export function unparsableRequest(reason: string | undefined): HttpError {
  switch (reason) {
    case "HPE_HEADER_OVERFLOW":
      return new HttpError(
        "HEADERS_TOO_LARGE",
        "the request line and headers are larger than the server accepts",
      );
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new HttpError("REQUEST_TIMEOUT", "the request did not arrive in time");
    default:
      return new HttpError("MALFORMED_REQUEST", "the request is not valid HTTP/1.1");
  }
}
