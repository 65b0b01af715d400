import type { APIGatewayProxyEvent } from "aws-lambda";
import type * as z from "zod/mini";
import { AppError } from "../domain/index.js";
import { validate } from "../services/index.js";
import { header } from "./headers.js";
import { payloadTooLarge, unsupportedMediaType } from "./http-error.js";

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The raw body of a request as text, refusing bodies over `maxBodyBytes` (413) before anything
 * else looks at them. API Gateway may hand the body over base64-encoded.
 */
export function bodyText(event: APIGatewayProxyEvent, maxBodyBytes: number): string | undefined {
  const raw = event.body;
  if (raw === null || raw === undefined || raw === "") return undefined;
  // A UTF-8 string is at most 3 bytes per UTF-16 unit, and base64 shrinks by 3/4: skip the exact
  // byte count when the cheap bound already proves the body small.
  const bound = event.isBase64Encoded ? Math.ceil((raw.length * 3) / 4) : raw.length * 3;
  const text = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
  if (bound > maxBodyBytes && Buffer.byteLength(text, "utf8") > maxBodyBytes) {
    throw payloadTooLarge(maxBodyBytes);
  }
  return text;
}

/** Parses a body read by `bodyText` as JSON and validates it with `schema`, naming each field. */
export function parseJsonBody<T>(
  event: APIGatewayProxyEvent,
  text: string | undefined,
  schema: z.ZodMiniType<T>,
): T {
  if (text === undefined) {
    throw new AppError("VALIDATION_FAILED", "a JSON body is required", {
      fields: [{ field: "body", message: "required" }],
    });
  }
  const contentType = header(event, "content-type");
  if (contentType === undefined || !JSON_TYPE.test(contentType)) {
    throw unsupportedMediaType(contentType);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError("VALIDATION_FAILED", "the body is not valid JSON", {
      fields: [{ field: "body", message: "malformed JSON" }],
    });
  }
  return validate(schema, json, "body");
}
