import { ROUTES, type Route, routeKey, type StoreAccess } from "../http/index.js";

/** The four ways to deploy the one codebase; `monolith` is the default. */
export const ARCHITECTURES = ["nano", "micro", "monolith", "graph"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];
export const DEFAULT_ARCHITECTURE: Architecture = "monolith";

/**
 * What invokes a function: API Gateway's REST API, its WebSocket API, the table's stream, or a
 * schedule (the sweeper).
 */
export type FunctionTrigger = "http" | "websocket" | "stream" | "schedule";

/** One Lambda function of an architecture and the routes it serves. */
export interface FunctionSpec {
  /** camelCase, unique within the architecture; names the bundle and the CloudFormation ids. */
  name: string;
  description: string;
  trigger: FunctionTrigger;
  /** The REST or GraphQL routes of an `http` function; none for the others. */
  routes: readonly Route[];
  /** The DynamoDB actions the function's role allows on the table, and no others. */
  storeActions: readonly string[];
  /**
   * Serves the operators (admin routes, or GraphQL with its admin fields): only these functions
   * may write promotion definitions and the stock trail, and sign image uploads to the site
   * bucket; every other function's role denies those writes.
   */
  operator: boolean;
  /**
   * Talks to the payment provider (payment sessions, refunds, webhooks, the processing that
   * charges and the sweeper that reconciles): in AWS it gets the provider's settings and, with
   * Stripe, may read the two secrets' SSM parameters (serverless-descriptor's payments).
   */
  paymentProvider: boolean;
}

const READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];

/** The DynamoDB actions each kind of route store access needs (TransactWriteItems is
 * authorised item by item through these: a transaction's Delete needs DeleteItem, as a merged
 * guest cart and a deleted address do). */
const STORE_ACTIONS: Record<StoreAccess, readonly string[]> = {
  none: [],
  read: READ_ACTIONS,
  write: [
    ...READ_ACTIONS,
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
  ],
};

/** What the order processing does to the table: reads the order, moves its state, gives stock
 * back, finds and forgets the user's connections (and records the payment: serverless-descriptor
 * allows that one PutItem in the payments' partition only). */
const PROCESSING_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
];

/**
 * The functions every architecture has besides its API: the WebSocket API's (connections are
 * saved on `$connect`, read and deleted on `$disconnect`), the order processing one, fed by the
 * table's stream, and the sweeper, which runs the same processing on a schedule for the orders
 * left in flight (found through the in-flight index, a Query).
 */
const EVENT_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: "notifications",
    description: "serverless-store: WebSocket $connect, $disconnect and $default",
    trigger: "websocket",
    routes: [],
    storeActions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
    operator: false,
    paymentProvider: false,
  },
  {
    name: "processOrders",
    description: "serverless-store: order processing from the table's stream",
    trigger: "stream",
    routes: [],
    storeActions: PROCESSING_ACTIONS,
    operator: false,
    paymentProvider: true,
  },
  {
    name: "sweepOrders",
    description: "serverless-store: re-drives orders stuck in flight, on a schedule",
    trigger: "schedule",
    routes: [],
    storeActions: PROCESSING_ACTIONS,
    operator: false,
    paymentProvider: true,
  },
];

export function isArchitecture(value: string): value is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(value);
}

/** The architectures a command line names, all four when it names none; throws on a typo. */
export function architecturesNamed(names: readonly string[]): Architecture[] {
  const unknown = names.filter((name) => !isArchitecture(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown architecture ${unknown.map((name) => `"${name}"`).join(", ")}: choose from ${ARCHITECTURES.join(", ")}`,
    );
  }
  return names.length > 0 ? (names as Architecture[]) : [...ARCHITECTURES];
}

/**
 * The functions of `architecture`: its API functions derived from the route table (a route is
 * never listed twice), then the WebSocket and order processing functions all four share.
 * Routes marked `localOnly` (sign-up, sign-in and the local issuer's keys) are not deployed:
 * in AWS the Cognito user pool does their work.
 */
export function functionsOf(
  architecture: Architecture,
  routes: readonly Route[] = ROUTES,
): FunctionSpec[] {
  return [...apiFunctionsOf(architecture, routes), ...EVENT_FUNCTIONS];
}

function apiFunctionsOf(architecture: Architecture, routes: readonly Route[]): FunctionSpec[] {
  const deployed = routes.filter((route) => route.localOnly !== true);
  const rest = deployed.filter((route) => route.group !== "graphql");
  switch (architecture) {
    case "nano":
      return rest.map((route) => spec(nanoName(route), routeKey(route), [route]));
    case "micro":
      return perResource(rest);
    case "monolith":
      return [spec("api", "every REST route", rest)];
    case "graph":
      // A webhook's caller speaks REST, not GraphQL: its resource keeps a function of its own.
      return [
        spec(
          "graphql",
          "GraphQL",
          deployed.filter((route) => route.group === "graphql"),
        ),
        ...perResource(rest.filter((route) => route.webhook === true)),
      ];
  }
}

/** One function per resource group of `routes`, named after the group. */
const perResource = (routes: readonly Route[]): FunctionSpec[] =>
  [...groupBy(routes, (route) => route.group)].map(([group, members]) =>
    spec(group, `the ${group} resource`, members),
  );

function spec(name: string, what: string, routes: readonly Route[]): FunctionSpec {
  const storeActions = [...new Set(routes.flatMap((route) => STORE_ACTIONS[route.store]))];
  // GraphQL serves the operators' fields and mutations beside the shop's.
  const operator = routes.some((route) => route.auth === "admin" || route.group === "graphql");
  return {
    name,
    description: `serverless-store: ${what}`,
    trigger: "http",
    routes,
    storeActions,
    operator,
    paymentProvider: routes.some((route) => route.paymentProvider === true),
  };
}

/** `POST /products/{id}/comments` -> `postProductsIdComments`. */
function nanoName(route: Route): string {
  const words = route.resource.split(/[^A-Za-z0-9]+/).filter((word) => word !== "");
  return [
    route.method.toLowerCase(),
    ...words.map((word) => word[0]?.toUpperCase() + word.slice(1)),
  ].join("");
}

function groupBy<T, K>(values: readonly T[], keyOf: (value: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    const group = groups.get(key) ?? [];
    group.push(value);
    groups.set(key, group);
  }
  return groups;
}
