// The environment of a shop the benches compose over DynamoDB Local (or a proxy in front of it):
// its table, the harmless local keys, the local token issuer and no request log.

/** The local issuer the benches' tokens name. */
export interface LocalIssuer {
  issuer: string;
  clientId: string;
  keyFile: string;
}

/** DynamoDB Local's region and keys, as `startDynamoDbLocal` answers them. */
export interface LocalDynamoDb {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** The variables of a production-mode shop on `tableName` at `endpoint` (created beforehand). */
export const localShopEnv = (
  local: LocalDynamoDb,
  table: { tableName: string; endpoint: string },
  auth: LocalIssuer,
): Record<string, string> => ({
  STORE: "dynamodb",
  DYNAMODB_TABLE: table.tableName,
  DYNAMODB_ENDPOINT: table.endpoint,
  DYNAMODB_CREATE_TABLE: "false",
  AWS_REGION: local.region,
  AWS_ACCESS_KEY_ID: local.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: local.credentials.secretAccessKey,
  AUTH_MODE: "local",
  AUTH_ISSUER: auth.issuer,
  AUTH_CLIENT_ID: auth.clientId,
  AUTH_KEY_FILE: auth.keyFile,
  LOG_REQUESTS: "false",
  NODE_ENV: "production",
});
