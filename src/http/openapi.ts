import * as z from "zod/mini";
import { ADMIN_GROUP, ORDER_STATUSES } from "../domain/index.js";
import {
  addressBody,
  attachGuestOrdersBody,
  checkoutBody,
  checkoutQuoteBody,
  commentBody,
  createProductBody,
  createPromotionBody,
  GUEST_CART_TOKEN_HEADER,
  graphqlBody,
  guestCartToken,
  ID_LIMITS,
  idempotencyKey,
  imageUploadBody,
  loginBody,
  ORDER_ACCESS_TOKEN_HEADER,
  orderAccessToken,
  PAGE_LIMITS,
  promotionDefinition,
  saveCartBody,
  shipmentBody,
  shippingSettingsBody,
  signupBody,
  stockAdjustmentBody,
  taxSettingsBody,
  updateProductBody,
} from "../services/index.js";
import { VIEW_SCHEMAS, type ViewName } from "../services/view-schemas.js";
import { GRAPHQL_RESPONSE_TYPE } from "./graphql-media.js";
import type { ProblemCode } from "./http-error.js";
import { PROBLEM_CONTENT_TYPE, statusOf, titleOf } from "./problem.js";
import type { Route } from "./route.js";

// The OpenAPI 3.1 document, derived from the route table and from the zod schemas the router
// validates requests with and the views are checked against. Built on the first GET
// /openapi.json (and by the build), never at a cold start.

const API_VERSION = "0.1.0";
const JSON_TYPE = "application/json";

/** Request bodies by component name: the router's own schemas. */
const REQUEST_BODIES = {
  SaveCartRequest: saveCartBody,
  CommentRequest: commentBody,
  CheckoutRequest: checkoutBody,
  CheckoutQuoteRequest: checkoutQuoteBody,
  AddressRequest: addressBody,
  SignupRequest: signupBody,
  LoginRequest: loginBody,
  GraphqlRequest: graphqlBody,
  CreateProductRequest: createProductBody,
  UpdateProductRequest: updateProductBody,
  StockAdjustmentRequest: stockAdjustmentBody,
  ImageUploadRequest: imageUploadBody,
  CreatePromotionRequest: createPromotionBody,
  PromotionDefinitionRequest: promotionDefinition,
  ShippingSettingsRequest: shippingSettingsBody,
  TaxSettingsRequest: taxSettingsBody,
  ShipmentRequest: shipmentBody,
  AttachGuestOrdersRequest: attachGuestOrdersBody,
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: ref("Problem") } };

/** Components from zod schemas: `$ref`s between them, no per-schema dialect or id. */
function componentsOf(schemas: Record<string, z.ZodMiniType>, io: "input" | "output") {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: built } = z.toJSONSchema(registry, {
    io,
    uri: (id) => `#/components/schemas/${id}`,
  });
  const out: Record<string, object> = {};
  for (const [id, schema] of Object.entries(built)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    out[id] = rest;
  }
  return out;
}

const inline = (schema: z.ZodMiniType): object => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input" });
  return rest;
};

const HEADERS = {
  CreatedLocation: {
    description: "What the request made, relative to the request's address (`addresses/{id}`)",
    schema: { type: "string" },
  },
  Location: {
    description:
      "The order's address, relative to the request's: `orders/{id}`, or a guest's `guest-orders/{id}`",
    schema: { type: "string" },
  },
  IdempotentReplayed: {
    description: "`true` when the Idempotency-Key was used before: the first order, as it is now",
    schema: { type: "string", enum: ["true"] },
  },
  RetryAfter: {
    description: "Seconds to wait before trying again",
    schema: { type: "integer", minimum: 1 },
  },
  WwwAuthenticate: {
    description: 'The bearer challenge: `Bearer realm="serverless-store"`',
    schema: { type: "string" },
  },
  Allow: { description: "The methods of the path", schema: { type: "string" } },
};

const header = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/**
 * The refusals a route can answer: those its declaration implies (every route checks the body's
 * size first; a token, a body, a guest cart, a page and the store each add theirs) and those
 * it declares.
 */
function refusalsOf(route: Route): ProblemCode[] {
  const codes = new Set<ProblemCode>(["PAYLOAD_TOO_LARGE", "INTERNAL"]);
  if (route.store !== "none" && route.group !== "graphql") codes.add("STORE_UNAVAILABLE");
  if (route.auth !== "none" || route.guestCart === "anonymous") codes.add("UNAUTHENTICATED");
  // A path parameter is held to the store's id limits.
  const takesInput = route.body !== undefined || route.guestCart !== undefined;
  if (takesInput || route.paged === true || route.resource.includes("{")) {
    codes.add("VALIDATION_FAILED");
  }
  if (route.group === "graphql") codes.add("VALIDATION_FAILED");
  if (route.auth === "admin") codes.add("FORBIDDEN");
  if (route.body !== undefined) codes.add("UNSUPPORTED_MEDIA_TYPE");
  for (const code of route.refusals ?? []) codes.add(code);
  return [...codes];
}

function errorResponses(route: Route): Record<string, object> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of refusalsOf(route)) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const graphql = route.group === "graphql";
  if (graphql && route.method === "GET") byStatus.set(405, []);
  const responses: Record<string, object> = {};
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const headers: Record<string, object> = {};
    if (status === 401) headers["WWW-Authenticate"] = header("WwwAuthenticate");
    if (status === 503 || status === 429) headers["Retry-After"] = header("RetryAfter");
    if (status === 405) headers.Allow = header("Allow");
    let description = codes.map((code) => `${code}: ${titleOf(code)}`).join("; ");
    let content: object = problemContent;
    if (graphql && (status === 400 || status === 401 || status === 405)) {
      // Under application/graphql-response+json a refused GraphQL request keeps its 4xx, in
      // GraphQL's shape; a malformed body or query string is a problem, as on REST routes.
      const shaped = { [GRAPHQL_RESPONSE_TYPE]: { schema: ref("GraphqlResponse") } };
      content = status === 400 ? { ...problemContent, ...shaped } : shaped;
      description =
        status === 400
          ? "A malformed body or query string (problem), or, accepting application/graphql-response+json, a query refused before execution (parse, validation, limits, variables)"
          : status === 401
            ? "Accepting application/graphql-response+json: an invalid or expired token (extensions.code UNAUTHENTICATED); under application/json the same answer is a 200"
            : "A mutation sent with GET";
    }
    responses[String(status)] = {
      description,
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      content,
    };
  }
  return responses;
}

function successResponses(route: Route): Record<string, object> {
  const responses: Record<string, object> = {};
  for (const [status, view] of Object.entries(route.answers) as [string, ViewName | null][]) {
    if (view === null) {
      responses[status] = { description: route.summary };
      continue;
    }
    const headers: Record<string, object> = {};
    if (route.location === true && status === "201") headers.Location = header("CreatedLocation");
    if (route.resource === "/checkout") {
      headers.Location = header("Location");
      if (status === "200") headers["Idempotent-Replayed"] = header("IdempotentReplayed");
    }
    const types = route.group === "graphql" ? [JSON_TYPE, GRAPHQL_RESPONSE_TYPE] : [JSON_TYPE];
    responses[status] = {
      description:
        route.resource === "/checkout"
          ? status === "202"
            ? "The order, PLACED; its payment runs later"
            : "An Idempotency-Key replay: the first order, as it is now"
          : route.summary,
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      content: Object.fromEntries(types.map((type) => [type, { schema: ref(view) }])),
    };
  }
  return responses;
}

const pathParameters = (resource: string): object[] =>
  [...resource.matchAll(/\{([^}]+)\}/g)].map((match) => ({
    name: match[1] ?? "",
    in: "path",
    required: true,
    schema: { type: "string", minLength: 1, maxLength: ID_LIMITS.maxLength },
  }));

/** The route's query and header parameters (path parameters sit on the path). */
function parametersOf(route: Route): object[] {
  const parameters: object[] = [];
  if (route.paged === true) {
    const { defaultLimit, maxLimit } = PAGE_LIMITS;
    parameters.push(
      {
        name: "limit",
        in: "query",
        description: `Items per page, 1 to ${maxLimit}; ${defaultLimit} when absent`,
        schema: { type: "integer", minimum: 1, maximum: maxLimit, default: defaultLimit },
      },
      {
        name: "cursor",
        in: "query",
        description:
          "The nextCursor of the page before, unchanged (opaque); absent for the first page. " +
          "Anything else is a 400 naming cursor",
        schema: { type: "string", minLength: 1, maxLength: 512 },
      },
    );
  }
  if (route.resource === "/admin/orders") {
    parameters.push({
      name: "status",
      in: "query",
      description: "Only the orders in this state; every state when absent",
      schema: { type: "string", enum: [...ORDER_STATUSES] },
    });
  }
  if (route.resource === "/shipping-methods") {
    parameters.push(
      {
        name: "country",
        in: "query",
        required: true,
        description: "Where the order goes: an ISO 3166-1 alpha-2 code, such as DE",
        schema: { type: "string", pattern: "^[A-Za-z]{2}$" },
      },
      {
        name: "goodsCents",
        in: "query",
        description:
          "What the goods cost after any discount, before tax, in cents: it decides the " +
          "methods free above an amount; 0 when absent",
        schema: { type: "integer", minimum: 0 },
      },
    );
  }
  if (route.group === "graphql" && route.method === "GET") {
    parameters.push(
      { name: "query", in: "query", required: true, schema: { type: "string", minLength: 1 } },
      {
        name: "variables",
        in: "query",
        description: "A JSON object, as text",
        schema: { type: "string" },
      },
      { name: "operationName", in: "query", schema: { type: "string", minLength: 1 } },
    );
  }
  if (route.resource === "/checkout") {
    parameters.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "Makes a retried checkout answer the first order (200, Idempotent-Replayed) instead of " +
        "placing another; a UUID fits. Without one, the cart's version stands in for it",
      schema: inline(idempotencyKey),
    });
  }
  if (route.resource.startsWith("/guest-orders/{id}")) {
    parameters.push({
      name: ORDER_ACCESS_TOKEN_HEADER,
      in: "header",
      required: true,
      description:
        "The orderAccessToken the guest's checkout answered: the only key to the order. A " +
        "header, never the address, so that no log keeps it",
      schema: inline(orderAccessToken),
    });
  }
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
      schema: inline(guestCartToken),
    });
  }
  return parameters;
}

const SECURITY = {
  none: [],
  required: [{ bearer: [] }],
  optional: [{}, { bearer: [] }],
  // A bearer token whose `cognito:groups` holds the admin group (x-required-group says which).
  admin: [{ bearer: [] }],
} as const;

/** `/products/{id}/comments` -> `ProductsIdComments`, for operation ids. */
const camel = (resource: string): string =>
  resource.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) =>
    (next ?? "").toUpperCase(),
  );

const TAGS = {
  products: "The catalogue and its comments",
  cart: "Carts: a signed-in user's, or a guest's by its token",
  checkout: "Turning the cart into an order",
  orders: "The signed-in user's orders",
  account: "The signed-in user's own records: the address book",
  auth: "The dev server's own sign-up and sign-in (in AWS, the Cognito user pool)",
  graphql: "The same use cases over GraphQL",
  admin:
    "The shop's operators (the admin group): catalogue, stock, promotions, every order and its fulfilment",
  docs: "This document",
  cors: "CORS preflights",
};

/**
 * An OpenAPI 3.1 document derived from the route table: every route with its parameters and
 * headers, its body and answers as named schemas, its security, exactly the statuses it can
 * answer, and the CORS preflight of every path.
 */
export function buildOpenApi(routes: readonly Route[]): object {
  const bodyNames = new Map<z.ZodMiniType, string>(
    Object.entries(REQUEST_BODIES).map(([name, schema]) => [schema, name]),
  );
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const pathItem = paths[route.resource] ?? {};
    paths[route.resource] = pathItem;
    const parameters = parametersOf(route);
    const bodyName = route.body === undefined ? undefined : bodyNames.get(route.body);
    if (route.body !== undefined && bodyName === undefined) {
      throw new Error(`${route.method} ${route.resource}: its body schema has no component name`);
    }
    pathItem[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${camel(route.resource)}`,
      summary: route.summary,
      tags: [route.group],
      security: SECURITY[route.auth],
      ...(route.auth === "admin" ? { "x-required-group": ADMIN_GROUP } : {}),
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(bodyName === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { [JSON_TYPE]: { schema: ref(bodyName) } },
            },
          }),
      responses: { ...successResponses(route), ...errorResponses(route) },
    };
  }
  for (const [resource, pathItem] of Object.entries(paths)) {
    const parameters = pathParameters(resource);
    if (parameters.length > 0) pathItem.parameters = parameters;
    pathItem.options = {
      operationId: `options${camel(resource)}`,
      summary: "CORS preflight: the path's own methods, for allowed origins only",
      tags: ["cors"],
      security: [],
      responses: {
        "204": { description: "Preflight answered", headers: { Allow: header("Allow") } },
        "403": { description: "FORBIDDEN: the origin is not allowed", content: problemContent },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "serverless-store",
      version: API_VERSION,
      description:
        "An online store's API. Amounts are integer cents. Errors are RFC 9457 problems. " +
        "GraphQL (POST or GET /graphql and /query) answers an unknown product or order with " +
        "null where REST answers 404 NOT_FOUND.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: ".", description: "The API that serves this document" }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A Cognito (or, locally, the dev server's) access token",
        },
      },
      headers: HEADERS,
      schemas: {
        ...componentsOf(VIEW_SCHEMAS, "output"),
        ...componentsOf(REQUEST_BODIES, "input"),
      },
    },
  };
}
