import { defineConfig } from "vite";

// The storefront: a Preact single-page app, built into dist/web for the dev server and the site
// bucket. Vite's root is this folder (`npx vite build web`, or scripts/build-web.ts). TSX goes
// through Vite's own oxc transform with Preact's automatic runtime: no Babel.
export default defineConfig({
  publicDir: "public",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    // Every browser the page targets has modulepreload; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
  },
  // `npx vite web` for work on the page: the settings come from the dev server on :3000, and the
  // page then calls that API across origins (127.0.0.1:5173 is one of its default CORS origins).
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: { "/config.json": "http://127.0.0.1:3000" },
  },
});
