import * as z from "zod/mini";
import { ADMIN_GROUP } from "../domain/index.js";
import { GUEST_CART_TOKEN_HEADER, guestCartToken } from "../services/index.js";
import type { ProblemCode } from "./http-error.js";
import { PROBLEM_CONTENT_TYPE, statusOf } from "./problem.js";
import { needsSignIn, type Route } from "./route.js";

/** The error codes each kind of route can answer, beyond those every route can. */
function errorCodesOf(route: Route): ProblemCode[] {
  const codes: ProblemCode[] = ["NOT_FOUND", "METHOD_NOT_ALLOWED", "INTERNAL", "STORE_UNAVAILABLE"];
  if (route.auth !== "none") codes.push("UNAUTHENTICATED");
  if (route.body !== undefined) {
    codes.push("VALIDATION_FAILED", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE");
  }
  if (route.guestCart !== undefined) codes.push("VALIDATION_FAILED");
  const key = `${route.method} ${route.resource}`;
  if (key === "POST /cart") codes.push("UNKNOWN_PRODUCT", "INVALID_PROMOTION", "CART_LIMIT");
  if (key === "POST /cart/merge") codes.push("CART_CHANGED");
  if (key === "PUT /checkout") {
    codes.push("VALIDATION_FAILED", "OUT_OF_STOCK", "CART_CHANGED", "CART_EMPTY");
    codes.push("UNKNOWN_PRODUCT", "INVALID_PROMOTION");
  }
  if (key === "POST /auth/signup") codes.push("EMAIL_TAKEN");
  if (key === "POST /auth/login") codes.push("UNAUTHENTICATED", "TOO_MANY_REQUESTS");
  if (route.group === "graphql") codes.push("VALIDATION_FAILED");
  if (route.auth === "admin") codes.push("FORBIDDEN");
  if (key.endsWith("/cancel")) codes.push("ORDER_NOT_CANCELLABLE");
  if (key === "POST /admin/products") codes.push("PRODUCT_EXISTS");
  if (key === "POST /admin/promotions") codes.push("PROMOTION_EXISTS");
  if (key === "POST /admin/products/{id}/stock-adjustments") codes.push("STOCK_NEGATIVE");
  if (
    route.method === "GET" &&
    route.resource.startsWith("/admin/") &&
    route.resource !== "/admin/figures"
  ) {
    codes.push("VALIDATION_FAILED");
  }
  if (key === "POST /admin/uploads") codes.push("NOT_IMPLEMENTED");
  return codes;
}

const API_VERSION = "0.1.0";

/** Success statuses other than a lone 200. */
const SUCCESS: Record<string, number[]> = {
  "POST /products/{id}/comments": [201],
  "POST /guest-carts": [201],
  "PUT /checkout": [202, 200],
  "POST /auth/signup": [201],
  "POST /admin/products": [201],
  "POST /admin/products/{id}/stock-adjustments": [201],
  "POST /admin/uploads": [201],
  "POST /admin/promotions": [201],
};

/**
 * An OpenAPI 3.1 document derived from the route table: every route, its parameters, its body
 * schema (from the same zod schema the router validates with), its success and problem
 * responses, and the CORS preflight of every path.
 */
export function buildOpenApi(routes: readonly Route[]): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const pathItem = paths[route.resource] ?? {};
    paths[route.resource] = pathItem;
    const statuses = new Map<number, string>();
    for (const code of errorCodesOf(route)) {
      const status = statusOf(code);
      statuses.set(status, [statuses.get(status), code].filter(Boolean).join(", "));
    }
    const responses: Record<string, unknown> = {};
    for (const status of SUCCESS[`${route.method} ${route.resource}`] ?? [200]) {
      responses[String(status)] = {
        description: route.summary,
        content: { "application/json": { schema: {} } },
      };
    }
    for (const [status, codes] of [...statuses].sort((a, b) => a[0] - b[0])) {
      responses[String(status)] = {
        description: codes,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: "#/components/schemas/Problem" } } },
      };
    }
    const parameters = parametersOf(route);
    pathItem[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${camel(route.resource)}`,
      summary: route.summary,
      tags: [route.group],
      ...(route.auth === "none"
        ? {}
        : { security: needsSignIn(route) ? [{ bearer: [] }] : [{}, { bearer: [] }] }),
      ...(route.auth === "admin" ? { "x-required-group": ADMIN_GROUP } : {}),
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(route.body === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(route.body) } },
            },
          }),
      responses,
    };
  }
  for (const [resource, pathItem] of Object.entries(paths)) {
    pathItem.options = {
      operationId: `options${camel(resource)}`,
      summary: "CORS preflight: the path's own methods, for allowed origins only",
      tags: ["cors"],
      responses: {
        "204": { description: "preflight answered" },
        "403": {
          description: "FORBIDDEN: the origin is not allowed",
          content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: "#/components/schemas/Problem" } } },
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "serverless-store", version: API_VERSION },
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Problem: PROBLEM_SCHEMA },
    },
  };
}

/** `/products/{id}/comments` -> `ProductsIdComments`, for operation ids. */
function camel(resource: string): string {
  return resource.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) =>
    (next ?? "").toUpperCase(),
  );
}

/** The route's path parameters, then its `Guest-Cart-Token` header when it takes one. */
function parametersOf(route: Route): object[] {
  const parameters: object[] = pathParameters(route.resource).map((name) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (route.guestCart !== undefined) {
    parameters.push({
      name: GUEST_CART_TOKEN_HEADER,
      in: "header",
      required: route.guestCart === "required",
      description:
        route.guestCart === "required"
          ? "The token of the guest cart to merge, as POST /guest-carts answered it"
          : "Without an access token: the token of the guest cart to use, as POST /guest-carts " +
            "answered it (401 when neither is sent; ignored when an access token is)",
      schema: jsonSchema(guestCartToken),
    });
  }
  return parameters;
}

function pathParameters(resource: string): string[] {
  return [...resource.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? "");
}

function jsonSchema(schema: z.ZodMiniType): object {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input" });
  return rest;
}

const PROBLEM_SCHEMA = {
  type: "object",
  required: ["type", "title", "status", "detail", "instance", "code", "requestId"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    instance: { type: "string" },
    code: { type: "string" },
    requestId: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["field", "message"],
        properties: { field: { type: "string" }, message: { type: "string" } },
      },
    },
  },
};
