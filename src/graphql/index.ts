export type {
  GraphqlContext,
  GraphqlExecutor,
  GraphqlOptions,
  GraphqlRequest,
  GraphqlResponse,
} from "./executor.js";
export { createGraphqlExecutor } from "./executor.js";
export type { QueryLimits } from "./limits.js";
export { DEFAULT_LIMITS } from "./limits.js";
export { SCHEMA_SDL } from "./schema.js";
