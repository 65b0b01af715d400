import { createServer } from "node:http";
import { compose, loadConfig } from "../src/compose/index.js";

// The dev server's baseline: plain node:http doing the same work per request (the same service
// call, the same JSON.stringify) and nothing else. Run as a child process by dev-server-bench.ts.
const PREFIX = "/products/";
const port = Number(process.env.PORT);
const app = await compose(loadConfig({ STORE: "memory", LOG_REQUESTS: "false" }));

const server = createServer((request, response) => {
  const url = request.url ?? "/";
  if (request.method !== "GET" || !url.startsWith(PREFIX)) {
    response.writeHead(404).end();
    return;
  }
  app.services.catalog.getProduct(decodeURIComponent(url.slice(PREFIX.length)), undefined).then(
    (product) => {
      response.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
      response.end(JSON.stringify(product));
    },
    () => response.writeHead(404).end(),
  );
});
server.listen(port, "127.0.0.1");
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
