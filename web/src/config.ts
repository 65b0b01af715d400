/** Runtime settings, read from /config.json at start so one build serves every stage. */
export interface StoreConfig {
  /** The API's base URL, without a trailing slash. */
  apiUrl: string;
  websocketUrl: string;
  region: string;
  userPoolClientId: string;
  cognitoEndpoint: string;
}

const KEYS = ["apiUrl", "websocketUrl", "region", "userPoolClientId", "cognitoEndpoint"] as const;

function parseConfig(value: unknown): StoreConfig {
  if (typeof value !== "object" || value === null) throw new Error("config.json is not an object");
  const record = value as Record<string, unknown>;
  const config: Partial<Record<(typeof KEYS)[number], string>> = {};
  for (const key of KEYS) {
    const field = record[key];
    if (typeof field !== "string" || field === "") {
      throw new Error(`config.json: "${key}" must be a non-empty string`);
    }
    config[key] = field;
  }
  const parsed = config as StoreConfig;
  return { ...parsed, apiUrl: parsed.apiUrl.replace(/\/+$/, "") };
}

export async function loadConfig(): Promise<StoreConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  return parseConfig(await response.json());
}
