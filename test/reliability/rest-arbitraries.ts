import fc from "fast-check";
import type { ApiEventOptions } from "../helpers/api-event.js";

// Requests for every operation of the OpenAPI document, generated from the document itself: its
// parameters and request bodies give the shape of a valid call, and every part is sometimes
// replaced by something hostile, so each operation gets valid, nearly valid and wild input.

type Schema = Record<string, unknown>;
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

export interface GeneratedRequest extends ApiEventOptions {
  /** Which caller's token is sent (or a broken Authorization header). */
  as: "anonymous" | "shopper" | "operator" | "garbage";
}

/** Strings an attacker tries first. */
const NASTY = [
  "",
  " ",
  "..",
  "../../etc/passwd",
  "%00",
  "\u0000",
  "' OR 1=1 --",
  '"; DROP TABLE products; --',
  "$" + "{jndi:ldap://x}",
  "<script>alert(1)</script>",
  "__proto__",
  "constructor",
  "NaN",
  "-1",
  "1e309",
  "0x10",
  "999999999999999999999",
  "\u202e\u0301",
  "😀".repeat(40),
];

export const hostileString = (maxLength = 64): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 3, arbitrary: fc.string({ maxLength, unit: "binary" }) },
    { weight: 2, arbitrary: fc.string({ maxLength, unit: "grapheme-ascii" }) },
    {
      weight: 1,
      arbitrary: fc.string({ minLength: 200, maxLength: 1200, unit: "grapheme-ascii" }),
    },
  );

/** `arbitrary` with weight `present` against null with weight `absent`. */
export const rarely = <T>(
  arbitrary: fc.Arbitrary<T>,
  present: number,
  absent: number,
): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: present, arbitrary }, { weight: absent, arbitrary: fc.constant(null) });

const resolve = (doc: OpenApiDocument, schema: Schema): Schema => {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.split("/").at(-1) ?? "";
  return doc.components.schemas[name] ?? {};
};

/** A value that satisfies `schema` (as far as its keywords go) when it can. */
export function valid(doc: OpenApiDocument, given: Schema, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(doc, given);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.anyOf)) {
    return fc.oneof(...(schema.anyOf as Schema[]).map((s) => valid(doc, s, depth + 1)));
  }
  switch (schema.type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) {
        record[name] = valid(doc, property, depth + 1);
      }
      if (Object.keys(record).length === 0) {
        return depth > 3
          ? fc.constant({})
          : fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
              maxKeys: 4,
            });
      }
      return fc.record(record, {
        requiredKeys: Object.keys(record).filter((name) => required.has(name)),
      });
    }
    case "array": {
      const items = (schema.items ?? {}) as Schema;
      return fc.array(valid(doc, items, depth + 1), { maxLength: depth > 2 ? 1 : 5 });
    }
    case "integer": {
      const min = typeof schema.minimum === "number" ? schema.minimum : -1000;
      const max = typeof schema.maximum === "number" ? schema.maximum : 100_000;
      return fc.integer({ min, max });
    }
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "string": {
      const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
      const maxLength = Math.min(typeof schema.maxLength === "number" ? schema.maxLength : 40, 200);
      if (schema.format === "date-time") {
        return fc
          .date({ noInvalidDate: true, min: new Date(2020, 0, 1), max: new Date(2035, 0, 1) })
          .map((d) => d.toISOString());
      }
      if (typeof schema.pattern === "string") {
        const pattern = new RegExp(schema.pattern);
        // Stretched or cut to the length bounds: a filter could reject almost every sample.
        return fc
          .stringMatching(pattern, { size: "small" })
          .map((s) =>
            s.length >= minLength ? s.slice(0, maxLength) : s.padEnd(minLength, s || "a"),
          );
      }
      return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Valid most of the time; otherwise a wrong type, a hostile string, or something absurd. */
export function nearlyValid(doc: OpenApiDocument, schema: Schema): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: valid(doc, schema) },
    { weight: 1, arbitrary: hostileString() },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        null,
        -1,
        0,
        2 ** 53,
        -(2 ** 63),
        1.5,
        true,
        [],
        {},
        "x".repeat(5000),
      ),
    },
  );
}

const asText = (value: unknown): string =>
  typeof value === "string" ? value : (JSON.stringify(value) ?? "");

/** A body: the schema's (nearly valid) JSON, or JSON that misses it, or no JSON at all. */
function bodyOf(doc: OpenApiDocument, operation: Operation): fc.Arbitrary<string | undefined> {
  const schema = operation.requestBody?.content?.["application/json"]?.schema;
  const wild = fc.oneof(
    fc.constant(undefined),
    fc.json({ maxDepth: 4 }),
    fc.string({ maxLength: 300, unit: "binary" }),
    fc.constantFrom(
      "{",
      "[",
      '{"a":',
      "null",
      "1e999999",
      '{"__proto__":{"admin":true}}',
      "[".repeat(3000),
    ),
  );
  if (schema === undefined) return fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, wild);
  const shaped = fc
    .record({
      base: valid(doc, schema),
      tweak: rarely(fc.tuple(fc.string({ maxLength: 12 }), nearlyValid(doc, {})), 1, 3),
    })
    .map(({ base, tweak }) => {
      if (tweak === null || typeof base !== "object" || base === null || Array.isArray(base))
        return JSON.stringify(base);
      return JSON.stringify({ ...base, [tweak[0]]: tweak[1] });
    });
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 2, arbitrary: nearlyValid(doc, schema).map(asText) },
    { weight: 2, arbitrary: wild },
  );
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/graphql-response+json",
  "application/graphql",
  "*/*",
  ";;;",
];

/**
 * A request to `resource` (an OpenAPI path) by `method`, or now and then by another method:
 * each parameter valid or hostile, a body from the schema or not, any caller.
 */
export function requestFor(
  doc: OpenApiDocument,
  resource: string,
  method: string,
  knownIds: readonly string[],
): fc.Arbitrary<GeneratedRequest> {
  const operation = doc.paths[resource]?.[method.toLowerCase()] ?? {};
  const parameters = operation.parameters ?? [];
  const pathNames = [...resource.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
  const pathArbs: Record<string, fc.Arbitrary<string>> = {};
  for (const name of pathNames) {
    pathArbs[name] = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...knownIds) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 3, arbitrary: hostileString() },
    );
  }
  const queryArbs: Record<string, fc.Arbitrary<string>> = {};
  const headerArbs: Record<string, fc.Arbitrary<string>> = {};
  for (const parameter of parameters) {
    const arb = nearlyValid(doc, parameter.schema ?? {}).map(asText);
    if (parameter.in === "query") queryArbs[parameter.name] = arb;
    if (parameter.in === "header") headerArbs[parameter.name] = arb;
  }
  headerArbs["Guest-Cart-Token"] = fc.oneof(fc.base64String({ maxLength: 64 }), hostileString());
  headerArbs["Content-Type"] = fc.oneof(
    { weight: 6, arbitrary: fc.constant("application/json") },
    { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: hostileString(40) },
  );
  headerArbs.Accept = fc.constantFrom(
    "application/json",
    "application/graphql-response+json",
    "text/html",
    "*/*",
    "",
  );
  return fc
    .record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(method) },
        {
          weight: 1,
          arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
        },
      ),
      pathParameters: fc.record(pathArbs),
      query: fc.record(queryArbs, { requiredKeys: [] }),
      extraQuery: fc.dictionary(fc.string({ maxLength: 10 }), hostileString(30), { maxKeys: 2 }),
      headers: fc.record(headerArbs, { requiredKeys: [] }),
      body: bodyOf(doc, operation),
      base64: fc.boolean(),
      as: fc.oneof(
        { weight: 4, arbitrary: fc.constant("shopper" as const) },
        { weight: 3, arbitrary: fc.constant("operator" as const) },
        { weight: 2, arbitrary: fc.constant("anonymous" as const) },
        { weight: 1, arbitrary: fc.constant("garbage" as const) },
      ),
      origin: rarely(
        fc.constantFrom("https://shop.example.com", "https://evil.example", "null"),
        1,
        4,
      ),
    })
    .map((g) => {
      const headers: Record<string, string | undefined> = { ...g.headers };
      if (g.as === "garbage") headers.Authorization = "Bearer not.a.token";
      const request: GeneratedRequest = {
        method: g.method,
        resource,
        pathParameters: g.pathParameters,
        query: Object.fromEntries(
          Object.entries({ ...g.extraQuery, ...g.query }).filter(
            (entry): entry is [string, string] => entry[1] !== undefined,
          ),
        ),
        headers,
        as: g.as,
        isBase64Encoded: g.base64 && g.body !== undefined && g.body.length % 7 === 0,
        ...(g.body === undefined ? {} : { body: g.body }),
        ...(g.origin === null ? {} : { origin: g.origin }),
      };
      return request;
    });
}

/** The size of everything a request carries, for the 8 KiB bound. */
export function sizeOf(request: GeneratedRequest): number {
  return Buffer.byteLength(
    JSON.stringify([request.pathParameters, request.query, request.headers, request.body ?? ""]),
  );
}
