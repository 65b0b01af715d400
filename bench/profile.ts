import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { buildDevServer, DEV_SERVER_BUNDLE } from "../scripts/dev-server-bundle.js";
import { createServerGroup, type StartOptions } from "./child-processes.js";

// `npm run bench -- profile [seconds]`: the dev server and the bare node:http baseline of the
// budget, each run under `node --cpu-prof` and loaded alone by autocannon as the budget loads it,
// then each profile's self time summed per function and per source file, as shares of the samples
// in which the server was busy. The .cpuprofile files stay in the printed folder for DevTools.

const PATH = "/products/lonely-bird";
const CONNECTIONS = 10;
const WARMUP_SECONDS = 2;
const LOAD_SECONDS = Number(process.argv[3] ?? 10);
const TOP_FUNCTIONS = 25;
const TOP_FILES = 15;
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { LOG_REQUESTS: _default, ...env } = process.env;
const subjects: (Omit<StartOptions, "nodeArgs" | "readyPath"> & { dir: string })[] = [
  {
    label: `dev server (${DEV_SERVER_BUNDLE}, built from src/local/main.ts)`,
    script: DEV_SERVER_BUNDLE,
    env: { ...env, STORE: "memory" },
    dir: mkdtempSync(join(tmpdir(), "profile-dev-server-")),
  },
  {
    label: "bare node:http (bench/bare-http-server.ts)",
    script: "bench/bare-http-server.ts",
    env,
    dir: mkdtempSync(join(tmpdir(), "profile-bare-http-")),
  },
];

await buildDevServer();
const servers = createServerGroup();
process.once("exit", () => servers.killAllNow());
for (const subject of subjects) {
  const server = await servers.start({
    ...subject,
    readyPath: PATH,
    nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${subject.dir}`],
  });
  await autocannon({
    url: `${server.url}${PATH}`,
    connections: CONNECTIONS,
    duration: WARMUP_SECONDS,
  });
  const result = await autocannon({
    url: `${server.url}${PATH}`,
    connections: CONNECTIONS,
    duration: LOAD_SECONDS,
  });
  await servers.stopAll();
  const rate = result.requests.total / result.duration;
  const file = readdirSync(subject.dir).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`${subject.label}: no profile written in ${subject.dir}`);
  console.log(
    `\n${subject.label}: ${Math.round(rate)} req/s under the profiler, ${LOAD_SECONDS} s`,
  );
  console.log(`profile: ${join(subject.dir, file)}`);
  summarise(JSON.parse(readFileSync(join(subject.dir, file), "utf8")) as Profile);
}

/**
 * Over the samples of the load (the last LOAD_SECONDS of the profile; start-up left out): self
 * time per function and per source file, and the total time (itself and what it called) of the
 * project's own functions, each as a share of the samples in which the server was busy.
 */
function summarise(profile: Profile): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const nameOf = (frame: ProfileNode["callFrame"]) => {
    const file = shortFile(frame.url);
    return `${frame.functionName || "(anonymous)"}${file ? ` ${file}:${frame.lineNumber + 1}` : ""}`;
  };
  let first = profile.samples.length;
  for (let elapsed = 0; first > 0 && elapsed < LOAD_SECONDS * 1e6; first--) {
    elapsed += profile.timeDeltas[first - 1] ?? 0;
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const totalByFunction = new Map<string, number>();
  const add = (totals: Map<string, number>, key: string, micros: number) =>
    totals.set(key, (totals.get(key) ?? 0) + micros);
  let busy = 0;
  for (let i = first; i < profile.samples.length; i++) {
    const micros = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(profile.samples[i] ?? -1)?.callFrame;
    if (frame === undefined || frame.functionName === "(idle)") continue;
    busy += micros;
    add(byFunction, nameOf(frame), micros);
    add(byFile, shortFile(frame.url) || frame.functionName, micros);
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parentOf.get(id)) {
      const callFrame = byId.get(id)?.callFrame;
      if (callFrame === undefined || !/^(src|bench|dist)\//.test(shortFile(callFrame.url)))
        continue;
      const name = nameOf(callFrame);
      if (!seen.has(name)) add(totalByFunction, name, micros);
      seen.add(name);
    }
  }
  const share = (micros: number) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%`;
  const print = (title: string, totals: Map<string, number>, count: number) => {
    console.log(title);
    const top = [...totals].sort((a, b) => b[1] - a[1]).slice(0, count);
    for (const [name, micros] of top) console.log(`  ${share(micros)}  ${name}`);
  };
  console.log(`busy ${(busy / 1e6).toFixed(1)} s of the last ${LOAD_SECONDS} s`);
  print("self time by function:", byFunction, TOP_FUNCTIONS);
  print("self time by file:", byFile, TOP_FILES);
  print(
    "total time of the project's functions (with what they call):",
    totalByFunction,
    TOP_FUNCTIONS,
  );
}

/** A frame's file relative to the repository, `node:...` for Node's own, package-relative in node_modules. */
function shortFile(url: string): string {
  if (url === "") return "";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const inModules = path.lastIndexOf("node_modules/");
  if (inModules !== -1) return path.slice(inModules + "node_modules/".length);
  return path.startsWith(REPO_ROOT) ? relative(REPO_ROOT, path) : path;
}
