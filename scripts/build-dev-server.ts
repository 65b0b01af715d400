// `npm start`'s build of the dev server: src/local/main.ts bundled into dist/local/main.mjs
// (dev-server-bundle.ts), quietly, then run by plain `node`.
import { buildDevServer } from "./dev-server-bundle.js";

await buildDevServer();
