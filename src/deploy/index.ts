export type { Architecture, FunctionSpec, FunctionTrigger } from "./architectures.js";
export {
  ARCHITECTURES,
  architecturesNamed,
  DEFAULT_ARCHITECTURE,
  functionsOf,
  isArchitecture,
} from "./architectures.js";
export type { CfnResource } from "./cloudformation.js";
export {
  AUTHORIZER_ID,
  PROCESSING_DLQ_ID,
  TABLE_ID,
  USER_POOL_CLIENT_ID,
  USER_POOL_ID,
  WEBSOCKET_API_ID,
} from "./cloudformation.js";
export type { DeployOptions } from "./deploy-options.js";
export { parseDeployArgs, SERVICE } from "./deploy-options.js";
export type {
  HttpEvent,
  ServerlessDescriptor,
  ServerlessFunction,
} from "./serverless-descriptor.js";
export {
  bundleDir,
  describeArchitecture,
  roleId,
  STACK_OUTPUTS,
} from "./serverless-descriptor.js";
export { SITE_ORIGIN, siteResources } from "./site.js";
export type { SiteConfig, SiteUpload } from "./site-upload.js";
export {
  cacheControlOf,
  contentTypeOf,
  planUploads,
  siteConfigFrom,
  siteKeysOf,
  stackOutputsOf,
} from "./site-upload.js";
