export type { Architecture, FunctionSpec, FunctionTrigger } from "./architectures.js";
export {
  ARCHITECTURES,
  architecturesNamed,
  DEFAULT_ARCHITECTURE,
  functionsOf,
  isArchitecture,
} from "./architectures.js";
export type { DeployOptions } from "./deploy-options.js";
export { parseDeployArgs, SERVICE } from "./deploy-options.js";
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
  PROCESSING_DLQ_ID,
  roleId,
  STACK_OUTPUTS,
  TABLE_ID,
  USER_POOL_CLIENT_ID,
  USER_POOL_ID,
  WEBSOCKET_API_ID,
} from "./serverless-descriptor.js";
export { SITE_ORIGIN, siteResources } from "./site.js";
export type { SiteUpload } from "./site-upload.js";
export {
  cacheControlOf,
  planUploads,
  siteConfigFrom,
  siteKeysOf,
  stackOutputsOf,
} from "./site-upload.js";
