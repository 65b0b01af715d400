// The key of the guests' order links in AWS: an SSM SecureString (its name in
// ORDER_LINK_KEY_PARAMETER) read through `ssm-parameters.ts` at the first link made or opened,
// then kept for the life of the process, like the Stripe secrets. Only the parameter's name ever
// appears in an error, never its value.
import { readSecureParameters, type SsmClientOptions } from "./ssm-parameters.js";

/** 32 bytes as base64url without padding: 43 characters. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const ORDER_LINK_KEY_BYTES = 32;

/** The key a parameter's value holds; throws naming `parameter` when it holds no such key. */
export function orderLinkKeyFrom(value: string, parameter: string): Uint8Array {
  // A value written from a file with `echo` ends in a line break; the key is what precedes it.
  const text = value.trim();
  const key = KEY_PATTERN.test(text) ? Buffer.from(text, "base64url") : undefined;
  if (key === undefined || key.length !== ORDER_LINK_KEY_BYTES) {
    throw new Error(
      `SSM parameter ${parameter} does not hold an order-link key: ${ORDER_LINK_KEY_BYTES} random bytes as base64url (docs/deploy-aws.md)`,
    );
  }
  return new Uint8Array(key);
}

/**
 * The order-link key from the SecureString `parameter`, read at the first call and kept; a
 * failed read (SSM unreachable, the parameter missing) is tried again by the next call rather
 * than remembered. Fits `createOrderLinks(key)`.
 */
export function orderLinkKeyFromSsm(
  parameter: string,
  options: SsmClientOptions = {},
): () => Promise<Uint8Array> {
  let loading: Promise<Uint8Array> | undefined;
  return () => {
    if (loading === undefined) {
      loading = readSecureParameters([parameter], options).then((values) =>
        orderLinkKeyFrom(values[parameter] ?? "", parameter),
      );
      loading.catch(() => {
        loading = undefined;
      });
    }
    return loading;
  };
}
