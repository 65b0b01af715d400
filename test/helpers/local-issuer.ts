import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigningKey, mintToken } from "./tokens.js";

/** The settings of a local token issuer whose key the test holds: what AUTH_* are set to. */
export interface TestIssuer {
  env: { AUTH_ISSUER: string; AUTH_CLIENT_ID: string; AUTH_KEY_FILE: string };
  tokenOf(userId: string): Promise<string>;
  remove(): Promise<void>;
}

/**
 * A signing key in a key file (AUTH_KEY_FILE) that the dev server and every function under
 * serverless-offline load, and the tokens it signs: one way to sign in on every runtime.
 */
export async function createTestIssuer(): Promise<TestIssuer> {
  const issuer = "https://auth.store.test";
  const clientId = "serverless-store-test";
  const key = await createSigningKey();
  const dir = await mkdtemp(join(tmpdir(), "store-issuer-"));
  const keyFile = join(dir, "key.json");
  await writeFile(keyFile, JSON.stringify(key.privateJwk), { mode: 0o600 });
  return {
    env: { AUTH_ISSUER: issuer, AUTH_CLIENT_ID: clientId, AUTH_KEY_FILE: keyFile },
    tokenOf: (userId) => mintToken(key, { issuer, clientId, subject: userId }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
