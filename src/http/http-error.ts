import type { ErrorCode } from "../domain/index.js";

/** Refusals only the HTTP edge makes (405, 413, 415): no service or store can produce them. */
export type HttpErrorCode = "METHOD_NOT_ALLOWED" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE";

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
