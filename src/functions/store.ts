import { compose, loadConfig } from "../compose/index.js";
import { ROUTES } from "../http/index.js";

// Built once per execution environment (cold start), reused by every invocation.
const app = await compose(loadConfig(), {
  routes: ROUTES.filter((route) => route.group !== "graphql"),
});

/** The monolith: every REST route of the route table in one Lambda function. */
export const handler = app.handler;
