import type { IncomingHttpHeaders } from "node:http";
import { expect } from "vitest";
import { type AwsCredentials, signRequest } from "../../src/aws/aws-http.js";

/** AWS's documentation's example keys: what the signing tests sign with, never real ones. */
export const EXAMPLE_CREDENTIALS: AwsCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token-example",
};

/** The region the signing tests' clients (ours and the SDK's) are set to. */
export const EXAMPLE_REGION = "eu-west-1";

/** A client's options (ours or the SDK's) for a stand-in at `endpoint`, in the example region
 * with the example keys. */
export const exampleClientOptions = (endpoint: string) => ({
  endpoint,
  region: EXAMPLE_REGION,
  credentials: EXAMPLE_CREDENTIALS,
});

/** A request as a loopback server received it. */
export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** `20260501T120000Z` (an `x-amz-date`) as a Date. */
const amzDate = (value: string): Date =>
  new Date(
    `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T` +
      `${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`,
  );

/**
 * The `Authorization` our signer gives `request` (sent to 127.0.0.1:`port`) at its own
 * `x-amz-date`: equal to the one it carries when both sides sign alike.
 */
export async function resign(
  request: CapturedRequest,
  port: number,
  signing: { service: string; region: string; credentials: AwsCredentials },
): Promise<string | undefined> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string" && name !== "authorization") headers[name] = value;
  }
  const signed = await signRequest(
    {
      method: request.method,
      protocol: "http:",
      hostname: "127.0.0.1",
      port,
      path: request.path,
      headers,
      body: request.body,
    },
    signing,
    amzDate(String(request.headers["x-amz-date"])),
  );
  return signed.authorization;
}

/** The `SignedHeaders=` list of an `Authorization` header. */
export const signedHeadersOf = (authorization: unknown): string =>
  /SignedHeaders=([^,]+)/.exec(String(authorization))?.[1] ?? "";

/**
 * Of the requests a stand-in received, the first is the AWS SDK's and the second our client's
 * for the same operation: asserts that both are POSTs to one path with the same `sameHeaders`,
 * that they sign the same headers, and that each carries the signature its headers and body call
 * for (the SDK's too, so the comparison means something). The bodies are the caller's to compare.
 */
export async function expectSignedLikeTheSdk(
  standIn: { requests: readonly CapturedRequest[]; port: number },
  signing: { service: string; region: string; credentials: AwsCredentials },
  sameHeaders: readonly string[] = ["content-type", "x-amz-target", "x-amz-security-token", "host"],
): Promise<{ fromSdk: CapturedRequest; own: CapturedRequest }> {
  const [fromSdk, own] = standIn.requests;
  if (fromSdk === undefined) throw new Error("the SDK sent nothing");
  if (own === undefined) throw new Error("our client sent nothing");
  expect(await resign(fromSdk, standIn.port, signing)).toBe(fromSdk.headers.authorization);
  expect(fromSdk.method).toBe("POST");
  expect(own.method).toBe("POST");
  expect(own.path).toBe(fromSdk.path);
  for (const name of sameHeaders) {
    expect(own.headers[name], name).toBe(fromSdk.headers[name]);
  }
  expect(signedHeadersOf(own.headers.authorization)).toBe(
    signedHeadersOf(fromSdk.headers.authorization),
  );
  expect(await resign(own, standIn.port, signing)).toBe(own.headers.authorization);
  return { fromSdk, own };
}
