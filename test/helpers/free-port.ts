import { createServer } from "node:net";

/** A loopback port nobody listens on right now: bind to 0, read it, let it go. A child process
 * binds it a moment later (a race accepted on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
