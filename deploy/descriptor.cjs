// Reads what `npm run build` derived from the route table for the architecture chosen with
// --param="architecture=...". The framework loads only .js/.cjs files here, hence CommonJS.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const ARCHITECTURES = ["nano", "micro", "monolith", "graph"];

exports.loadDescriptor = async (resolveVariable) => {
  const architecture = await resolveVariable("param:architecture");
  if (!ARCHITECTURES.includes(architecture)) {
    throw new Error(
      `architecture "${architecture}" is not one of ${ARCHITECTURES.join(", ")}: --param="architecture=nano|micro|monolith|graph"`,
    );
  }
  const file = join(__dirname, "..", "dist", "deploy", `${architecture}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new Error(`${file} is missing: run \`npm run build -- ${architecture}\` first`);
  }
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
