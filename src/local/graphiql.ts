import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type LocalHandler, sendBytes, splitTarget } from "./plain-http.js";

/**
 * GraphiQL for a person at a browser, on the dev server only: `GET /graphql` (or `/query`) asking
 * for HTML, with no `query` parameter, answers the IDE; every other request to those paths is
 * the GraphQL API's. Its scripts are the packages' own prebuilt files (React 18 and GraphiQL 3,
 * development dependencies), served from `/graphiql/`: nothing is fetched from elsewhere, and
 * nothing of it reaches a Lambda bundle or the storefront's.
 */
export const GRAPHIQL_PATHS = ["/graphql", "/query"] as const;
const ASSETS_PREFIX = "/graphiql/";

/** Each file by package and path inside it (the packages' `exports` do not name these files). */
const ASSETS: Record<string, { pkg: string; path: string; type: string }> = {
  "react.js": { pkg: "react", path: "umd/react.production.min.js", type: "text/javascript" },
  "react-dom.js": {
    pkg: "react-dom",
    path: "umd/react-dom.production.min.js",
    type: "text/javascript",
  },
  "graphiql.js": { pkg: "graphiql", path: "graphiql.min.js", type: "text/javascript" },
  "graphiql.css": { pkg: "graphiql", path: "graphiql.min.css", type: "text/css" },
};

/** Starts GraphiQL on the path it was opened at, against that same path. */
const START_SCRIPT = `const root = document.getElementById("graphiql");
const fetcher = GraphiQL.createFetcher({ url: location.pathname });
ReactDOM.createRoot(root).render(React.createElement(GraphiQL, { fetcher }));
`;

const page = (path: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>GraphiQL: serverless-store ${path}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${ASSETS_PREFIX}graphiql.css" />
    <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="${ASSETS_PREFIX}react.js"></script>
    <script src="${ASSETS_PREFIX}react-dom.js"></script>
    <script src="${ASSETS_PREFIX}graphiql.js"></script>
    <script src="${ASSETS_PREFIX}start.js"></script>
  </body>
</html>
`;

// GraphiQL sets inline styles on its panes (resizing) and in its stylesheet's own <style>: the
// IDE's page allows inline styles; scripts stay its own files, and it talks to its origin only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** The IDE's files: revalidated, so a package upgrade shows at the next reload. */
const ide = (type: string) => ({ type: `${type}; charset=utf-8`, cache: "no-cache" });

/**
 * The IDE, or undefined when its packages are not installed (an install without development
 * dependencies): the dev server then serves the API alone at those paths.
 */
export function createGraphiql(): LocalHandler | undefined {
  const require = createRequire(import.meta.url);
  const files = new Map<string, { file: string; type: string }>();
  try {
    // A package that is missing throws here: the IDE is then not offered.
    for (const [name, asset] of Object.entries(ASSETS)) {
      const root = dirname(require.resolve(`${asset.pkg}/package.json`));
      files.set(name, { file: join(root, asset.path), type: asset.type });
    }
  } catch {
    return undefined;
  }

  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    // Asked of every request: the target is split only when it can be one of the IDE's.
    const target = request.url ?? "/";
    if (!isOwnTarget(target)) return false;
    const { path, query } = splitTarget(target);

    if (path.startsWith(ASSETS_PREFIX)) {
      const name = path.slice(ASSETS_PREFIX.length);
      if (name === "start.js") {
        sendBytes(request, response, ide("text/javascript"), Buffer.from(START_SCRIPT));
        return Promise.resolve(true);
      }
      const asset = files.get(name);
      if (asset === undefined) return false;
      return readFile(asset.file).then((bytes) => {
        sendBytes(request, response, ide(asset.type), bytes);
        return true;
      });
    }

    if (path !== GRAPHIQL_PATHS[0] && path !== GRAPHIQL_PATHS[1]) return false;
    const wantsHtml = (request.headers.accept ?? "").includes("text/html");
    // A query in the URL is GraphQL over GET, whatever the client accepts.
    if (!wantsHtml || new URLSearchParams(query ?? "").has("query")) return false;
    sendBytes(
      request,
      response,
      { ...ide("text/html"), contentSecurityPolicy: CONTENT_SECURITY_POLICY },
      Buffer.from(page(path)),
    );
    return Promise.resolve(true);
  };
}

/** Whether a request target can be the IDE's: its files, or a GraphQL path. */
function isOwnTarget(target: string): boolean {
  return (
    target.startsWith(ASSETS_PREFIX) ||
    target.startsWith(GRAPHIQL_PATHS[0]) ||
    target.startsWith(GRAPHIQL_PATHS[1])
  );
}
