import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { ROUTES } from "../src/http/index.js";
import { buildOpenApi } from "../src/http/openapi.js";

// The API's types for TypeScript clients, generated from the OpenAPI document with
// openapi-typescript: the storefront's (web/src/api/schema.gen.ts, written by the build and by
// `npm run lint` before the page is type-checked) and the generated-client test's.

const ROOT = join(import.meta.dirname, "..");

/** Where the storefront reads the API's types from; git-ignored, written before every use. */
export const WEB_API_TYPES_FILE = join(ROOT, "web", "src", "api", "schema.gen.ts");

const HEADER =
  "// Generated from the OpenAPI document by scripts/api-types.ts (npm run generate:api-types).\n" +
  "// Do not edit: change the route table or the view schemas and generate again.\n\n";

/** The route table's OpenAPI document, as `GET /openapi.json` serves it. */
export const routeTableDocument = (): object => buildOpenApi(ROUTES);

/**
 * The TypeScript declarations (`paths`, `components`, `operations`) of an OpenAPI document: the
 * document itself, or the URL that serves it.
 */
export async function apiTypesOf(document: object | URL): Promise<string> {
  const source = document instanceof URL ? document : (structuredClone(document) as OpenAPI3);
  return HEADER + astToString(await openapiTS(source, { silent: true, defaultNonNullable: false }));
}

/** Writes the storefront's API types from the route table's document; answers the file. */
export async function writeWebApiTypes(file = WEB_API_TYPES_FILE): Promise<string> {
  await writeFile(file, await apiTypesOf(routeTableDocument()));
  return file;
}
