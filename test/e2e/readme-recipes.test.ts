import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DYNAMODB_LOCAL_CREDENTIALS,
  DYNAMODB_LOCAL_REGION,
} from "../../src/local/dynamodb-local.js";
import { DynamoDbClient } from "../../src/store/dynamodb/client.js";
import { docPages, headingAnchors, relativeLinks } from "../helpers/doc-pages.js";
import { freePort } from "../helpers/free-port.js";
import {
  type Checkout,
  cleanEnvironment,
  freshCheckout,
  ROOT,
  type Running,
  runShell,
  startShell,
  waitUntil,
} from "../helpers/processes.js";
import { commandsOf, type ShellBlock, shellBlocks } from "../helpers/readme-blocks.js";

// Every shell recipe of the README and of the pages of docs/, run as written: in a fresh checkout
// of the working tree, in a shell with no AWS variable, one block after another. A command runs
// to its end and must succeed, or (a long-running one) is started, awaited until it answers,
// checked once and stopped when its block ends, or (one that needs an AWS account) must get as
// far as asking for credentials and stop there with osls's message, not a stack trace. The
// pages' fixed ports are replaced by free ones, so a server already on 3000 cannot answer for
// the recipe's.

const pages = docPages(ROOT);

/** A shell block and the page it is on. */
type PageBlock = ShellBlock & { page: string };

const blocks: PageBlock[] = pages.flatMap(({ path, text }) =>
  shellBlocks(text).map((block) => ({ ...block, page: path })),
);
const recipes = blocks.filter((block) => block.marker?.kind === "recipe");
const placeOf = (block: PageBlock): string => `${block.page}:${block.line}`;

/** What a recipe's command is, and so how it is run. */
type Step =
  | { kind: "assign" }
  | { kind: "not run"; why: string }
  | { kind: "completes" }
  | { kind: "serves"; what: "dev server" | "DynamoDB Local" | "serverless-offline" }
  | { kind: "needs an account" };

/** How each command is run; a command none of these match fails the test until it is added. */
const STEPS: [RegExp, Step][] = [
  [/^[A-Z]\w*=\S+$/, { kind: "assign" }],
  [/^npm install$/, { kind: "not run", why: "CI installs from the lockfile (npm ci) first" }],
  [/^npm test$/, { kind: "not run", why: "it is the command that runs this test" }],
  [/^([A-Z_]+=\S+ )*npm start$/, { kind: "serves", what: "dev server" }],
  [/^java .*DynamoDBLocal\.jar /, { kind: "serves", what: "DynamoDB Local" }],
  [/^([A-Z_]+=\S+ )*npx osls offline start /, { kind: "serves", what: "serverless-offline" }],
  [
    /^npm run package( -- [\w ]+)?$/,
    {
      kind: "not run",
      why:
        "deploy.test.ts runs `npm run package` once per npm test and checks every template it " +
        "writes; naming architectures only narrows it (architectures-named.test.ts)",
    },
  ],
  [/^npm run build( -- [\w ]+)?$/, { kind: "completes" }],
  [/^(npm run deploy -- |npx osls (deploy|remove) )/, { kind: "needs an account" }],
];

function stepOf(command: string): Step | undefined {
  return STEPS.find(([pattern]) => pattern.test(command))?.[1];
}

/** A block's commands, `a && b` as two. */
const commandsOfBlock = (block: ShellBlock): string[] =>
  commandsOf(block.text).flatMap((command) => command.split(/\s+&&\s+/));

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe("the docs' shell blocks", () => {
  it("are each marked a recipe (run below) or an example (not run, with the reason)", () => {
    const unmarked = blocks.filter((block) => block.marker === undefined);
    expect(
      unmarked.map(placeOf),
      "put <!-- recipe: name --> or <!-- example: why --> before each",
    ).toEqual([]);
    expect(recipes.map((block) => `${block.page}: ${block.marker?.note.split(" ")[0]}`)).toEqual([
      "README.md: quick",
      "docs/aws-emulators.md: DynamoDB",
      "docs/aws-emulators.md: serverless-offline",
      "docs/deploy-aws.md: deploy",
      "docs/deploy-aws.md: package,",
      "docs/operators.md: make",
    ]);
  });

  it("hold only commands the recipe runner knows how to run", () => {
    expect(recipes.length).toBeGreaterThan(0);
    const unknown = recipes
      .flatMap(commandsOfBlock)
      .filter((command) => stepOf(command) === undefined);
    expect(unknown, "add a way to run them to STEPS").toEqual([]);
  });
});

describe("the docs' pages", () => {
  const readme = pages.find((page) => page.path === "README.md")?.text ?? "";

  it("keep the README under 250 lines", () => {
    expect(readme.split("\n").length).toBeLessThan(250);
  });

  it("are each linked from the README", () => {
    const linked = new Set(relativeLinks(readme).map(({ target }) => target.split("#")[0]));
    const unlinked = pages.map(({ path }) => path).filter((path) => path !== "README.md");
    expect(unlinked.filter((path) => !linked.has(path))).toEqual([]);
  });

  it("link only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const { path, text } of pages) {
      for (const { line, target } of relativeLinks(text)) {
        const [file = "", anchor] = target.split("#");
        const linked = file === "" ? path : normalize(join(dirname(path), file));
        if (!existsSync(join(ROOT, linked))) {
          broken.push(`${path}:${line}: ${target} (no such file)`);
        } else if (anchor !== undefined && linked.endsWith(".md")) {
          const page = pages.find((candidate) => candidate.path === linked);
          const anchors = headingAnchors(page?.text ?? readFileSync(join(ROOT, linked), "utf8"));
          if (!anchors.has(anchor)) broken.push(`${path}:${line}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("the docs' recipes, run as written without AWS settings", () => {
  let checkout: Checkout;
  const ports = new Map<string, string>();

  beforeAll(async () => {
    checkout = freshCheckout("store-recipes");
    for (const port of ["3000", "4000", "8000"]) ports.set(port, String(await freePort()));
  });

  afterAll(() => {
    checkout?.remove();
  });

  /** The command with the pages' ports replaced by this run's free ones. */
  const withFreePorts = (command: string): string =>
    command.replace(/\b(3000|4000|8000)\b/g, (port) => ports.get(port) ?? port);

  async function answers(url: string): Promise<boolean> {
    await fetch(url);
    return true;
  }

  async function catalogueAt(baseUrl: string): Promise<number> {
    const response = await fetch(`${baseUrl}/products`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: unknown[] }).items.length;
  }

  /** Runs one recipe block; what it started is stopped at its end, whatever happened. */
  async function runRecipe(block: PageBlock): Promise<void> {
    const env = cleanEnvironment({ PORT: ports.get("3000") ?? "" });
    const assignments: string[] = [];
    const serving: Running[] = [];
    let devServerUrl: string | undefined;
    try {
      for (const written of commandsOfBlock(block)) {
        const step = stepOf(written);
        const command = withFreePorts(written);
        const script = [...assignments, command].join("\n");
        const where = `${placeOf(block)}: ${written}`;
        switch (step?.kind) {
          case "assign":
            assignments.push(command);
            break;
          case "not run":
          case undefined:
            break;
          case "completes": {
            const result = await runShell(script, { cwd: checkout.dir, env });
            expect(result.code, `${where}\n${result.output}`).toBe(0);
            break;
          }
          case "needs an account": {
            const result = await runShell(script, { cwd: checkout.dir, env });
            expect(result.code, where).not.toBe(0);
            expect(result.output, where).toMatch(/AWS provider credentials not found/);
            expect(result.output, where).not.toMatch(STACK_FRAME);
            if (written.startsWith("npm run deploy")) {
              // It built the functions and the page, and reached the deployment itself.
              expect(result.output, where).toMatch(/function\(s\) in dist\/functions/);
              expect(result.output, where).toMatch(/storefront built into/);
              expect(result.output, where).toMatch(/Deploying serverless-store to stage/);
            }
            break;
          }
          case "serves": {
            const running = startShell(script, { cwd: checkout.dir, env });
            serving.push(running);
            if (step.what === "dev server") {
              await waitUntil(running, where, async () => /listening on/.test(running.output()));
              devServerUrl = /listening on (http:\/\/\S+)/.exec(running.output())?.[1];
              expect(devServerUrl).toBe(`http://127.0.0.1:${ports.get("3000")}`);
              expect(await catalogueAt(devServerUrl ?? "")).toBe(10);
              // What a person opening the address sees: the shop, built by this very start.
              expect(running.output(), where).toMatch(/storefront built into/);
              const shop = await fetch(`${devServerUrl}/`, { headers: { Accept: "text/html" } });
              expect(shop.status).toBe(200);
              expect(shop.headers.get("content-type")).toMatch(/^text\/html/);
              expect(await shop.text()).toMatch(/<script type="module"[^>]* src="\/assets\//);
            } else if (step.what === "DynamoDB Local") {
              const endpoint = `http://127.0.0.1:${ports.get("8000")}`;
              const client = new DynamoDbClient({
                endpoint,
                region: DYNAMODB_LOCAL_REGION,
                credentials: DYNAMODB_LOCAL_CREDENTIALS,
                maxAttempts: 1,
              });
              try {
                await waitUntil(running, where, async () => {
                  await client.send("ListTables", {});
                  return true;
                });
              } finally {
                client.destroy();
              }
            } else {
              const port = /--httpPort (\d+)/.exec(command)?.[1];
              const baseUrl = `http://localhost:${port}`;
              await waitUntil(running, where, () => answers(`${baseUrl}/`));
              expect(await catalogueAt(baseUrl)).toBe(10);
              if (devServerUrl !== undefined) {
                // The recipe's point: the dev server's tokens are the emulated API's too.
                const request = {
                  method: "POST",
                  headers: { "Content-Type": "application/json" },
                  body: JSON.stringify({
                    email: "recipe@example.com",
                    password: "correct horse battery",
                  }),
                };
                await fetch(`${devServerUrl}/auth/signup`, request);
                const login = await fetch(`${devServerUrl}/auth/login`, request);
                const { accessToken } = (await login.json()) as { accessToken: string };
                const cart = await fetch(`${baseUrl}/cart`, {
                  headers: { Authorization: `Bearer ${accessToken}` },
                });
                expect(cart.status).toBe(200);
              }
            }
            break;
          }
        }
      }
    } finally {
      for (const running of serving.reverse()) await running.stop();
    }
  }

  it.each(recipes.map((block) => [`${block.page}: ${block.marker?.note ?? ""}`, block] as const))(
    "%s",
    async (_, block) => {
      await runRecipe(block);
    },
    300_000,
  );
});
