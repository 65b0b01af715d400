const { givenCorsOrigins, loadDescriptor } = require("./descriptor.cjs");

// The functions' environment. In AWS: DynamoDB and the Cognito user pool of the stack, and as
// allowed CORS origins the corsOrigins param, else the stack's own storefront (its CloudFront
// address). With `--stage offline` (serverless-offline on a laptop or in CI): the DynamoDB
// endpoint and the local token issuer's key named by the shell, since no stack exists to Ref,
// and the local defaults of the configuration when no origins are given.
const OFFLINE_FROM_SHELL = [
  "DYNAMODB_ENDPOINT",
  "DYNAMODB_TABLE",
  "AUTH_ISSUER",
  "AUTH_CLIENT_ID",
  "AUTH_KEY_FILE",
];

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable("sls:stage");
  const origins = await givenCorsOrigins(resolveVariable);
  const common = {
    NODE_ENV: "production",
    STORE: "dynamodb",
    ...(origins.length > 0 ? { CORS_ORIGINS: origins.join(",") } : {}),
  };
  if (stage !== "offline") {
    const { siteOrigin } = await loadDescriptor(resolveVariable);
    return {
      CORS_ORIGINS: siteOrigin,
      ...common,
      DYNAMODB_TABLE: { Ref: "StoreTable" },
      AUTH_MODE: "cognito",
      COGNITO_USER_POOL_ID: { Ref: "UserPool" },
      COGNITO_CLIENT_ID: { Ref: "UserPoolClient" },
      LOG_REQUESTS: "false",
    };
  }
  const missing = OFFLINE_FROM_SHELL.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(`--stage offline needs these environment variables: ${missing.join(", ")}`);
  }
  const fromShell = Object.fromEntries(OFFLINE_FROM_SHELL.map((name) => [name, process.env[name]]));
  return { ...common, ...fromShell, DYNAMODB_CREATE_TABLE: "false", AUTH_MODE: "local" };
};
