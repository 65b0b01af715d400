// Reads what `npm run build` derived from the route table for the architecture chosen with
// --param="architecture=...". The framework loads only .js/.cjs files here, hence CommonJS.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");

const BUILT = join(__dirname, "..", "dist", "deploy");

/** The architectures `npm run build` wrote a descriptor for (src/deploy/architectures.ts names them). */
function builtArchitectures() {
  try {
    return readdirSync(BUILT)
      .filter((file) => file.endsWith(".json"))
      .map((file) => file.slice(0, -".json".length));
  } catch {
    return [];
  }
}

exports.loadDescriptor = async (resolveVariable) => {
  const architecture = String(await resolveVariable("param:architecture"));
  const built = builtArchitectures();
  if (!built.includes(architecture)) {
    const have = built.length === 0 ? "none is built" : `built: ${built.join(", ")}`;
    throw new Error(
      `architecture "${architecture}" has no descriptor in dist/deploy (${have}): run \`npm run build -- ${architecture}\` (the architectures are those of src/deploy/architectures.ts)`,
    );
  }
  return JSON.parse(readFileSync(join(BUILT, `${architecture}.json`), "utf8"));
};

// The origins given with --param="corsOrigins=https://a.example,https://b.example", checked
// here so a typo fails the packaging instead of every function's cold start; [] when not given
// (the stack then allows its own CloudFront address).
exports.givenCorsOrigins = async (resolveVariable) => {
  const given = String((await resolveVariable("param:corsOrigins")) ?? "");
  const origins = given
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s,']+$/.test(origin)) {
      throw new Error(`corsOrigins: "${origin}" is not scheme://host[:port]`);
    }
  }
  return origins;
};
