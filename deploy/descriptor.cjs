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

async function loadDescriptor(resolveVariable) {
  const architecture = String(await resolveVariable("param:architecture"));
  const built = builtArchitectures();
  if (!built.includes(architecture)) {
    const have = built.length === 0 ? "none is built" : `built: ${built.join(", ")}`;
    throw new Error(
      `architecture "${architecture}" has no descriptor in dist/deploy (${have}): run \`npm run build -- ${architecture}\` (the architectures are those of src/deploy/architectures.ts)`,
    );
  }
  return JSON.parse(readFileSync(join(BUILT, `${architecture}.json`), "utf8"));
}
exports.loadDescriptor = loadDescriptor;

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

// The stack's limits (src/deploy/limits.ts) with the deploy options given: each stage limit's
// parameter, its default the option's value when given (--param="restRateLimit=2000"); the
// per-client limit's parameter and web ACL only when --param="clientRateLimit=N" is given. A
// value that is not a whole number within the parameter's bounds fails the packaging here rather
// than the stack's update.
exports.givenLimits = async (resolveVariable) => {
  const { limits } = await loadDescriptor(resolveVariable);
  const parameters = {};
  for (const [id, { option, parameter }] of Object.entries(limits.stageParameters)) {
    const given = await givenWholeNumber(resolveVariable, option, parameter);
    parameters[id] = given === undefined ? parameter : { ...parameter, Default: given };
  }
  const client = limits.clientRateLimiting;
  const clientLimit = await givenWholeNumber(resolveVariable, client.option, client.parameter);
  if (clientLimit === undefined) return { parameters, resources: {} };
  parameters[client.id] = { ...client.parameter, Default: clientLimit };
  return { parameters, resources: client.resources };
};

async function givenWholeNumber(resolveVariable, option, { MinValue, MaxValue }) {
  const given = String((await resolveVariable(`param:${option}`)) ?? "").trim();
  if (given === "") return undefined;
  const value = /^\d+$/.test(given) ? Number(given) : Number.NaN;
  if (!(value >= MinValue && (MaxValue === undefined || value <= MaxValue))) {
    const bounds =
      MaxValue === undefined ? `at least ${MinValue}` : `from ${MinValue} to ${MaxValue}`;
    throw new Error(`${option}: "${given}" is not a whole number ${bounds}`);
  }
  return value;
}

// The payments' parameters (src/deploy/payments.ts), each with the value of its deploy option
// as default when given (--param="paymentProvider=stripe"). Checked here so a mistake fails the
// packaging, not the stack's update: a value the parameter would refuse, a Stripe stack without
// its publishable key or its secrets' names, and a secret itself given where its SSM parameter's name belongs (which
// would put it in the template).
exports.givenPayments = async (resolveVariable) => {
  const { payments } = await loadDescriptor(resolveVariable);
  const parameters = {};
  const chosen = {};
  for (const [id, { option, parameter }] of Object.entries(payments.parameters)) {
    const given = String((await resolveVariable(`param:${option}`)) ?? "").trim();
    if (given === "") {
      parameters[id] = parameter;
      chosen[option] = parameter.Default;
      continue;
    }
    if (payments.secretNameOptions.includes(option) && /^(sk|rk|whsec)_/.test(given)) {
      throw new Error(
        `${option}: give the name of the SSM SecureString parameter that holds the secret, never the secret itself`,
      );
    }
    const allowed =
      (parameter.AllowedValues === undefined || parameter.AllowedValues.includes(given)) &&
      (parameter.AllowedPattern === undefined || new RegExp(parameter.AllowedPattern).test(given));
    if (!allowed) {
      const expected = parameter.AllowedValues?.join(" or ") ?? parameter.ConstraintDescription;
      throw new Error(`${option}: "${given}" is not ${expected}`);
    }
    parameters[id] = { ...parameter, Default: given };
    chosen[option] = given;
  }
  if (chosen.paymentProvider === "stripe") {
    const missing = payments.stripeOptions.filter((option) => chosen[option] === "");
    if (missing.length > 0) {
      throw new Error(`paymentProvider=stripe needs ${missing.join(", ")} (docs/payments.md)`);
    }
  }
  return parameters;
};

// The mail's parameters (src/deploy/mail.ts), each with the value of its deploy option as default
// when given (--param="mailFrom=Shop <shop@example.com>"); MailFrom has no default otherwise, so
// CloudFormation refuses a stack without a sender. A value the parameter would refuse, or a key
// given where its SSM parameter's name belongs, fails the packaging here.
exports.givenMail = async (resolveVariable) => {
  const { mail } = await loadDescriptor(resolveVariable);
  const parameters = {};
  for (const [id, { option, parameter }] of Object.entries(mail.parameters)) {
    const given = String((await resolveVariable(`param:${option}`)) ?? "").trim();
    if (given === "") {
      parameters[id] = parameter;
      continue;
    }
    if (!new RegExp(parameter.AllowedPattern).test(given)) {
      const shown = option === "orderLinkKeyParameter" ? "the value given" : `"${given}"`;
      throw new Error(`${option}: ${shown} is not ${parameter.ConstraintDescription}`);
    }
    parameters[id] = { ...parameter, Default: given };
  }
  return parameters;
};
