import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { signUpAndSignIn } from "../test/helpers/accounts.js";
import { startDevServerProcess } from "../test/helpers/dev-server-process.js";
import { recordFigure } from "../test/reliability/figures.js";
import { dripsBody, neverFinishesHeaders } from "../test/reliability/slow-clients.js";

// The soak of RELIABILITY.md: `npm start`'s server (a child process, on SQLite) under mixed
// traffic from CONCURRENCY clients for SOAK_SECONDS (60 by default): catalogue and product
// reads, GraphQL, carts, checkouts (processed in the server), order lists and malformed bodies.
// Meanwhile two slow clients (one never finishing its headers, one dripping its body) test the
// server's default limits. Prints requests, errors (5xx or no answer), p50/p99 and the server's
// RSS at 10 s and at the end.

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const SHOPPERS = 20;
const PRODUCTS = [
  "lonely-bird",
  "solid-friendship",
  "morning-fog",
  "paper-crane-mobile",
  "copper-kettle",
  "linen-notebook",
  "night-sky-puzzle",
  "terracotta-planter",
  "wool-throw",
  "brass-desk-lamp",
];

const rssMb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
};

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "soak-"));
  const server = await startDevServerProcess({
    STORE: "sqlite",
    DATA_DIR: dataDir,
    WEB_DIR: dataDir,
    PORT: "0",
    LOG_REQUESTS: "false",
    PAYMENT_DELAY_MS: "5",
  });
  const pid = server.child.pid ?? 0;
  const base = server.url;
  try {
    const tokens: string[] = [];
    for (let i = 0; i < SHOPPERS; i += 1) {
      tokens.push(await signUpAndSignIn(base, `soak-${i}@example.com`));
    }

    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let errors = 0;
    let keys = 0;
    const json = (token: string | undefined, body?: unknown): RequestInit => ({
      headers: {
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const mix: [number, () => [string, RequestInit]][] = [
      [30, () => [`/products?limit=${pick([5, 20, 50])}`, {}]],
      [15, () => [`/products/${pick(PRODUCTS)}`, {}]],
      [
        10,
        () => [
          "/graphql",
          {
            method: "POST",
            ...json(pick(tokens), {
              query:
                "{ products(first: 10) { items { id stock rating { average } } } cart { totalCents } }",
            }),
          },
        ],
      ],
      [10, () => ["/cart", json(pick(tokens))]],
      [
        15,
        () => [
          "/cart",
          {
            method: "POST",
            ...json(pick(tokens), {
              products: [{ id: pick(PRODUCTS), quantity: 1 + Math.floor(Math.random() * 2) }],
            }),
          },
        ],
      ],
      [
        5,
        () => {
          keys += 1;
          const init = json(pick(tokens));
          return [
            "/checkout",
            {
              method: "PUT",
              ...init,
              headers: {
                ...(init.headers as Record<string, string>),
                "Idempotency-Key": `soak-${keys % 500}`,
              },
            },
          ];
        },
      ],
      [10, () => ["/orders?limit=10", json(pick(tokens))]],
      [5, () => ["/cart", { method: "POST", ...json(pick(tokens), '{"products": [') }]],
    ];
    const totalWeight = mix.reduce((sum, [weight]) => sum + weight, 0);
    const nextRequest = (): [string, RequestInit] => {
      let roll = Math.random() * totalWeight;
      for (const [weight, make] of mix) {
        roll -= weight;
        if (roll < 0) return make();
      }
      return mix[0]?.[1]() ?? ["/products", {}];
    };

    const slow = [
      neverFinishesHeaders(base, 100, 120_000),
      dripsBody(base, pick(tokens), 100_000, 100, 120_000),
    ];
    const started = performance.now();
    const endAt = started + SECONDS * 1000;
    let rssAt10 = 0;
    const sampler = (async () => {
      await sleep(Math.min(10, SECONDS) * 1000);
      rssAt10 = rssMb(pid);
    })();
    const worker = async () => {
      while (performance.now() < endAt) {
        const [path, init] = nextRequest();
        const t0 = performance.now();
        try {
          const res = await fetch(`${base}${path}`, init);
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500) errors += 1;
        } catch {
          errors += 1;
        }
      }
    };
    await Promise.all([...Array.from({ length: CONCURRENCY }, worker), sampler]);
    const elapsed = (performance.now() - started) / 1000;
    const rssAtEnd = rssMb(pid);
    const [headers, body] = await Promise.allSettled(slow);

    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
    recordFigure("soak_seconds", elapsed.toFixed(0), "s");
    recordFigure("soak_concurrency", CONCURRENCY);
    recordFigure("soak_requests", latencies.length + errors);
    recordFigure("soak_requests_per_second", (latencies.length / elapsed).toFixed(0));
    recordFigure("soak_errors", errors);
    recordFigure(
      "soak_statuses",
      [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}:${n}`)
        .join(" "),
    );
    recordFigure("soak_p50_ms", at(0.5).toFixed(1), "ms");
    recordFigure("soak_p99_ms", at(0.99).toFixed(1), "ms");
    recordFigure("soak_rss_10s_mb", rssAt10.toFixed(1), "MB");
    recordFigure("soak_rss_end_mb", rssAtEnd.toFixed(1), "MB");
    const closed = (
      outcome: PromiseSettledResult<{ closedAfterMs: number; answer: string }> | undefined,
    ) =>
      outcome?.status === "fulfilled"
        ? `${(outcome.value.closedAfterMs / 1000).toFixed(1)} s (${outcome.value.answer || "no answer"})`
        : `not closed: ${String(outcome?.status === "rejected" ? outcome.reason : "")}`;
    recordFigure("soak_slow_headers_closed_after", closed(headers));
    recordFigure("soak_slow_body_closed_after", closed(body));
    if (errors > 0) process.exitCode = 1;
  } finally {
    const ended = await server.stop();
    if (ended.code !== 0 && ended.signal !== "SIGTERM") {
      process.stderr.write(
        `the dev server ended with ${ended.code ?? ended.signal}:\n${server.output().slice(-2000)}\n`,
      );
      process.exitCode = 1;
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
