// What the scripts (build, package, deploy) and the tests use of the deployment: the
// architectures, the descriptor derived from the route table, and the site upload plan.
export type { Architecture, FunctionSpec } from "./architectures.js";
export { ARCHITECTURES, architecturesNamed, functionsOf } from "./architectures.js";
export { USER_POOL_ID } from "./cloudformation.js";
export type { DeployOptions } from "./deploy-options.js";
export { parseDeployArgs } from "./deploy-options.js";
export { bundleDir, describeArchitecture, STACK_OUTPUTS } from "./serverless-descriptor.js";
export type { SiteUpload } from "./site-upload.js";
export { planUploads, siteConfigFrom, siteKeysOf, stackOutputsOf } from "./site-upload.js";
