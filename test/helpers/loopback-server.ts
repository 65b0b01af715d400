import { type App, type ComposeOverrides, compose, loadConfig } from "../../src/compose/index.js";
import {
  type DevServer,
  type DevServerOptions,
  startDevServer,
} from "../../src/local/dev-server.js";

export interface LoopbackServer {
  app: App;
  server: DevServer;
  /** Stops the server, then lets the app finish its orders and close its store. */
  close(): Promise<void>;
}

/**
 * The application composed from `env` (over `PORT=0`) and served by the dev server on
 * 127.0.0.1, in this process, on a free port: what `npm start` does, less the child process.
 * `options` add to the dev server's (a static site, a log, pages before the API).
 */
export async function startLoopbackServer(
  env: Record<string, string>,
  options: { compose?: ComposeOverrides; server?: Partial<DevServerOptions> } = {},
): Promise<LoopbackServer> {
  const app = await compose(loadConfig({ PORT: "0", ...env }), options.compose);
  const server = await startDevServer({
    handler: app.handler,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: app.config.maxBodyBytes,
    cors: app.cors,
    ...options.server,
  });
  return {
    app,
    server,
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}
