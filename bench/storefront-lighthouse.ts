import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse, { type Result } from "lighthouse";
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from "../test/helpers/browser.js";
import { createServerGroup } from "./child-processes.js";

// The storefront's budget (issue: performance and accessibility >= 95 on the catalogue and the
// cart pages), scored by Lighthouse with its default mobile emulation and simulated throttling,
// against the built site served by the dev server on loopback. Scores are Lighthouse's own
// ratios, not times of this machine. `--strict` turns a missed budget into exit code 1.
//   npx tsx bench/storefront-lighthouse.ts [--strict] [--runs N]
// Needs the built site (`npm run build:web`) and Debian's chromium (or CHROMIUM_PATH).

const MIN_SCORE = 95;
const PAGES = [
  { name: "catalogue", path: "/" },
  { name: "cart", path: "/basket" },
];

const strict = process.argv.includes("--strict");
const runsAt = process.argv.indexOf("--runs");
const runs = runsAt === -1 ? 3 : Number(process.argv[runsAt + 1]);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a whole number >= 1");

const servers = createServerGroup();
process.once("exit", () => servers.killAllNow());
const dataDir = await mkdtemp(join(tmpdir(), "store-lighthouse-"));
let failed = false;
try {
  const server = await servers.start({
    label: "dev server",
    script: "src/local/main.ts",
    env: { ...process.env, STORE: "memory", DATA_DIR: dataDir, LOG_REQUESTS: "false" },
    readyPath: "/config.json",
  });
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM_PATH,
    chromeFlags: CHROMIUM_FLAGS,
    userDataDir: await mkdtemp(join(tmpdir(), "store-lighthouse-profile-")),
  });
  try {
    console.log(
      `Lighthouse, mobile emulation, median of ${runs} runs per page (budget >= ${MIN_SCORE})`,
    );
    console.log(
      "page       performance  accessibility  LCP ms  TBT ms  CLS    JS bytes (transfer)",
    );
    for (const page of PAGES) {
      const results: Result[] = [];
      for (let run = 0; run < runs; run++) {
        const result = await lighthouse(`${server.url}${page.path}`, {
          port: chrome.port,
          output: "json",
          logLevel: "error",
          onlyCategories: ["performance", "accessibility"],
        });
        if (result === undefined) throw new Error(`Lighthouse returned nothing for ${page.path}`);
        results.push(result.lhr);
      }
      const score = (category: string) =>
        median(results.map((lhr) => Math.round((lhr.categories[category]?.score ?? 0) * 100)));
      const audit = (id: string) =>
        median(results.map((lhr) => lhr.audits[id]?.numericValue ?? NaN));
      const scripts = results[0]?.audits["resource-summary"]?.details;
      const jsBytes =
        scripts !== undefined && "items" in scripts
          ? (scripts.items as { resourceType?: string; transferSize?: number }[]).find(
              (item) => item.resourceType === "script",
            )?.transferSize
          : undefined;
      const performance = score("performance");
      const accessibility = score("accessibility");
      const ok = performance >= MIN_SCORE && accessibility >= MIN_SCORE;
      if (!ok) failed = true;
      console.log(
        `${page.name.padEnd(10)} ${String(performance).padStart(11)}  ${String(accessibility).padStart(13)}  ` +
          `${audit("largest-contentful-paint").toFixed(0).padStart(6)}  ` +
          `${audit("total-blocking-time").toFixed(0).padStart(6)}  ` +
          `${audit("cumulative-layout-shift").toFixed(3)}  ${String(jsBytes ?? "?").padStart(8)}` +
          `  ${ok ? "ok" : "BELOW BUDGET"}`,
      );
    }
  } finally {
    chrome.kill();
  }
} finally {
  await servers.stopAll();
  await rm(dataDir, { recursive: true, force: true });
}
if (failed && strict) process.exit(1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
