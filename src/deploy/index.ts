export type { Architecture, FunctionSpec } from "./architectures.js";
export {
  ARCHITECTURES,
  DEFAULT_ARCHITECTURE,
  functionsOf,
  isArchitecture,
} from "./architectures.js";
export type {
  CfnResource,
  HttpEvent,
  ServerlessDescriptor,
  ServerlessFunction,
} from "./serverless-descriptor.js";
export {
  AUTHORIZER_ID,
  bundleDir,
  describeArchitecture,
  roleId,
  TABLE_ID,
  USER_POOL_CLIENT_ID,
  USER_POOL_ID,
} from "./serverless-descriptor.js";
