export type { App, ComposeOverrides } from "./compose.js";
export { compose } from "./compose.js";
export type { Config } from "./config.js";
export { loadConfig } from "./config.js";
