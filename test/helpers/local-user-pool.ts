import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { localUserPoolPaths } from "../../src/local/cognito-endpoint.js";
import { type DevServer, startDevServer } from "../../src/local/dev-server.js";
import { createTestApp, type TestApp, type TestAppOptions } from "./app.js";

/** The dev server's user pool over loopback, and the AWS SDK's own Cognito client of it. */
export interface LocalUserPool {
  t: TestApp;
  server: DevServer;
  cognito: CognitoIdentityProviderClient;
  /** What the server printed: its request lines and the codes it would have e-mailed. */
  logLines: readonly string[];
  /** The confirmation code the server printed for `email`: what a developer reads in the terminal. */
  codeFor(email: string): string;
  close(): Promise<void>;
}

/** The credentials the SDK signs with: the local pool wants a signature, not particular keys. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** Starts the test app behind the dev server with its local user pool at `/cognito`. */
export async function startLocalUserPool(options: TestAppOptions = {}): Promise<LocalUserPool> {
  const logLines: string[] = [];
  const t = await createTestApp(options);
  const server = await startDevServer({
    handler: t.handler,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: t.app.config.maxBodyBytes,
    cors: t.app.cors,
    log: (line) => logLines.push(line),
    exactPaths: localUserPoolPaths(t.app, (line) => logLines.push(line)),
  });
  const cognito = new CognitoIdentityProviderClient({
    endpoint: `${server.url}/cognito`,
    region: "local",
    credentials: LOCAL_CREDENTIALS,
    // A throttled call must reach the test, not be retried by the SDK.
    maxAttempts: 1,
  });
  return {
    t,
    server,
    cognito,
    logLines,
    codeFor(email) {
      const prefix = `confirmation code for ${email}: `;
      const line = logLines.findLast((l) => l.startsWith(prefix));
      if (line === undefined) throw new Error(`no confirmation code for ${email} in the log`);
      return line.slice(prefix.length);
    },
    async close() {
      cognito.destroy();
      await server.close();
      await t.close();
    },
  };
}
