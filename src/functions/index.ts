export { createHandler, routeKey } from "./handler.js";
