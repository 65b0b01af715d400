import { loadConfig } from "../compose/index.js";
import { startDevServer } from "./dev-server.js";

// The monolith's own module: the dev server invokes exactly the handler Lambda runs.
const { handler } = await import("../functions/store.js");
const config = loadConfig();

const server = await startDevServer({
  handler,
  host: config.host,
  port: config.port,
  maxBodyBytes: config.maxBodyBytes,
  log: config.logRequests ? (line) => console.log(line) : undefined,
});

const storeText = config.store.kind === "sqlite" ? `SQLite at ${config.store.file}` : "memory";
console.log(`serverless-store is listening on ${server.url} (store: ${storeText})`);
console.log(`Try:  curl -s ${server.url}/products/lonely-bird`);
console.log(
  `Or sign up:  curl -s -X POST ${server.url}/auth/signup -H 'Content-Type: application/json' -d '{"email":"you@example.com","password":"correct horse battery"}'`,
);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
