import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { ROUTES } from "../../src/http/index.js";
import { buildOpenApi } from "../../src/http/openapi.js";
import { createPathMatcher } from "../../src/http/path-match.js";

/** What a response looked like, as the checker reads it. */
export interface SeenResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

/**
 * Checks answers against the OpenAPI document the code builds: the status must be one the
 * operation lists, the Content-Type one of that response's, and the body must validate against
 * its schema (views refuse properties they do not declare). Answers at no documented operation
 * (an unknown path or method, the storefront) are not checked: no operation describes them.
 */
export function createResponseChecker() {
  const document = buildOpenApi(ROUTES) as {
    paths: Record<string, Record<string, Operation>>;
    components: object;
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "openapi.json", components: document.components });
  const matchPath = createPathMatcher(Object.keys(document.paths));
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  let checked = 0;

  return {
    /** The problems of one answer: empty when it fits the document (or no operation has it). */
    check(seen: SeenResponse): string[] {
      const url = new URL(seen.path, "http://x");
      const match = matchPath(url.pathname);
      const operation =
        match === undefined
          ? undefined
          : document.paths[match.resource]?.[seen.method.toLowerCase()];
      if (match === undefined || operation === undefined) return [];
      checked++;
      const where = `${seen.method} ${match.resource} ${seen.status}`;
      const response = operation.responses[String(seen.status)];
      if (response === undefined) return [`${where}: status not in the document`];
      if (response.content === undefined) {
        return seen.body === undefined ? [] : [`${where}: a body where none is documented`];
      }
      const type = (seen.contentType ?? "").split(";")[0]?.trim() ?? "";
      const media = response.content[type];
      if (media === undefined) return [`${where}: Content-Type ${type} not in the document`];
      const text = JSON.stringify(media.schema).replaceAll(
        '"#/components/',
        '"openapi.json#/components/',
      );
      const validate = validators.get(text) ?? ajv.compile(JSON.parse(text));
      validators.set(text, validate);
      if (validate(seen.body)) return [];
      return (validate.errors ?? []).map(
        (error) => `${where}: ${error.instancePath || "(body)"} ${error.message ?? ""}`,
      );
    },
    /** How many answers had an operation to be checked against. */
    checkedCount: () => checked,
  };
}
