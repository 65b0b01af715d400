export type { App, ComposeOverrides } from "./compose.js";
export { compose } from "./compose.js";
export type { AwsAccessKeys, Config } from "./config.js";
export { ConfigError, LOCAL_AWS, loadConfig } from "./config.js";
export type { MailPoller } from "./mail-poller.js";
export { startMailPoller } from "./mail-poller.js";
