import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { orderLinkKeyFrom, orderLinkKeyFromSsm } from "../../../src/aws/order-link-key.js";
import type { CapturedRequest } from "../../helpers/aws-signature.js";
import { EXAMPLE_CREDENTIALS as CREDENTIALS } from "../../helpers/aws-signature.js";
import { type StandInAnswer, startAwsStandIn } from "../../helpers/aws-stand-in.js";

const REGION = "eu-west-1";
const NAME = "/shop/prod/order-link-key";
const KEY = randomBytes(32);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Systems Manager holding `value` as the SecureString NAME. */
const holding =
  (value: string) =>
  (request: CapturedRequest): StandInAnswer => {
    const { Names } = JSON.parse(request.body) as { Names: string[] };
    return {
      status: 200,
      body: {
        Parameters: Names.map((Name) => ({ Name, Type: "SecureString", Value: value })),
        InvalidParameters: [],
      },
    };
  };

async function fakeSsm(answer: (request: CapturedRequest, index: number) => StandInAnswer) {
  const fake = await startAwsStandIn("application/x-amz-json-1.1", answer);
  closers.push(fake.close);
  return fake;
}

const loader = (endpoint: string) =>
  orderLinkKeyFromSsm(NAME, { endpoint, region: REGION, credentials: CREDENTIALS });

describe("the order-link key from SSM", () => {
  it("reads the SecureString once per process, decrypted, and answers its 32 bytes", async () => {
    const fake = await fakeSsm(holding(`${KEY.toString("base64url")}\n`));
    const key = loader(fake.endpoint);
    const [first, second] = await Promise.all([key(), key()]);
    expect(Buffer.from(first)).toStrictEqual(KEY);
    expect(second).toBe(first);
    expect(await key()).toBe(first);
    expect(fake.requests).toHaveLength(1);
    expect(JSON.parse(fake.requests[0]?.body ?? "")).toStrictEqual({
      Names: [NAME],
      WithDecryption: true,
    });
  });

  it("reads again after a failed read instead of remembering the failure", async () => {
    const fake = await fakeSsm((request, index) =>
      index === 0
        ? { status: 400, body: { __type: "AccessDeniedException", message: "denied" } }
        : holding(KEY.toString("base64url"))(request),
    );
    const key = loader(fake.endpoint);
    await expect(key()).rejects.toThrow(NAME);
    expect(Buffer.from(await key())).toStrictEqual(KEY);
  });

  it("refuses a value that is not 32 bytes of base64url, naming the parameter, never the value", async () => {
    for (const value of [
      KEY.subarray(0, 31).toString("base64url"),
      KEY.toString("base64"),
      "not a key at all",
    ]) {
      const fake = await fakeSsm(holding(value));
      const error = (await loader(fake.endpoint)().catch((e: unknown) => e)) as Error;
      expect(error.message, value).toContain(
        `SSM parameter ${NAME} does not hold an order-link key`,
      );
      expect(error.message, value).not.toContain(value);
    }
    expect(() => orderLinkKeyFrom(`${KEY.toString("base64url")}=`, NAME)).toThrow(NAME);
  });
});
