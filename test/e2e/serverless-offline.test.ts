import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { ARCHITECTURES, type Architecture } from "../../src/deploy/index.js";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../src/local/dynamodb-local.js";
import { openDynamoDbStore } from "../../src/store/dynamodb/store.js";
import { freePort } from "../helpers/free-port.js";
import { httpSuite } from "../helpers/http-suite.js";
import { createTestIssuer, type TestIssuer } from "../helpers/local-issuer.js";
import {
  type Checkout,
  cleanEnvironment,
  freshCheckout,
  type Running,
  runShell,
  startShell,
  waitUntil,
} from "../helpers/processes.js";

// The shared HTTP checks against the packaged functions of every architecture, served by
// serverless-offline (`osls offline start --stage offline`) on DynamoDB Local, in a shell
// without AWS settings: the functions sign for DynamoDB Local with the configuration's local
// defaults. The emulator's own differences are EMULATOR_DIFFERENCES (test/helpers/http-suite.ts).
// Built in a fresh checkout, so deploy.test.ts's packaging of dist/ cannot change the bundles
// under a running emulator. OFFLINE_ARCHITECTURES=nano,graph narrows the run.

const chosen = (process.env.OFFLINE_ARCHITECTURES ?? ARCHITECTURES.join(","))
  .split(",")
  .map((name) => name.trim())
  .filter((name): name is Architecture => (ARCHITECTURES as readonly string[]).includes(name));

let checkout: Checkout;
let dynamodb: DynamoDbLocal;
let issuer: TestIssuer;

beforeAll(async () => {
  checkout = freshCheckout("store-offline");
  [dynamodb, issuer] = await Promise.all([startDynamoDbLocal(), createTestIssuer()]);
  const build = await runShell(`npm run build -- ${chosen.join(" ")}`, {
    cwd: checkout.dir,
    env: cleanEnvironment(),
  });
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.output}`);
}, 120_000);

afterAll(async () => {
  await dynamodb?.stop();
  await issuer?.remove();
  checkout?.remove();
});

describe.each(chosen)("the %s architecture under serverless-offline", (architecture) => {
  let offline: Running;
  let baseUrl = "";

  beforeAll(async () => {
    const table = `offline-${architecture}`;
    const store = await openDynamoDbStore({
      tableName: table,
      endpoint: dynamodb.endpoint,
      region: dynamodb.region,
      credentials: dynamodb.credentials,
      createTable: true,
      seed: true,
    });
    await store.close();
    const [httpPort, lambdaPort, websocketPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    baseUrl = `http://127.0.0.1:${httpPort}`;
    offline = startShell(
      [
        "exec npx osls offline start --stage offline",
        `--param="architecture=${architecture}" --noPrependStageInUrl --host 127.0.0.1`,
        `--httpPort ${httpPort} --lambdaPort ${lambdaPort} --websocketPort ${websocketPort}`,
      ].join(" "),
      {
        cwd: checkout.dir,
        env: cleanEnvironment({
          ...issuer.env,
          DYNAMODB_ENDPOINT: dynamodb.endpoint,
          DYNAMODB_TABLE: table,
          SLS_TELEMETRY_DISABLED: "1",
        }),
      },
    );
    // Any answer will do: the functions load on their first request.
    await waitUntil(offline, "serverless-offline", async () => {
      await fetch(`${baseUrl}/`);
      return true;
    });
    expect(offline.output()).not.toMatch(/AWS_|credentials/i);
  }, 90_000);

  afterAll(async () => {
    await offline?.stop();
  });

  httpSuite(
    "serverless-offline",
    { rest: architecture !== "graph", graphql: architecture === "graph" },
    () => ({
      baseUrl,
      // The functions keep the local pool's users in the table: one is put there, then signed for.
      newUser: async () => {
        const store = await openDynamoDbStore({
          tableName: `offline-${architecture}`,
          endpoint: dynamodb.endpoint,
          region: dynamodb.region,
          credentials: dynamodb.credentials,
        });
        const id = randomUUID();
        try {
          await store.createUser({
            id,
            email: `shopper-${id}@example.com`,
            name: "Shopper",
            passwordHash: "not-a-password-hash",
            createdAt: new Date().toISOString(),
          });
        } finally {
          await store.close();
        }
        return issuer.tokenOf(id);
      },
    }),
  );
});
