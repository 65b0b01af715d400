import { routeKey } from "../functions/index.js";
import { ROUTES, type Route, type StoreAccess } from "../http/index.js";

/** The four ways to deploy the one codebase; `monolith` is the default. */
export const ARCHITECTURES = ["nano", "micro", "monolith", "graph"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];
export const DEFAULT_ARCHITECTURE: Architecture = "monolith";

/** One Lambda function of an architecture and the routes it serves. */
export interface FunctionSpec {
  /** camelCase, unique within the architecture; names the bundle and the CloudFormation ids. */
  name: string;
  description: string;
  routes: readonly Route[];
  /** The most the function's routes do to the store: its IAM permissions. */
  store: StoreAccess;
}

export function isArchitecture(value: string): value is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(value);
}

/**
 * The functions of `architecture`, derived from the route table: a route is never listed twice.
 * Routes marked `localOnly` (sign-up, sign-in and the local issuer's keys) are not deployed:
 * in AWS the Cognito user pool does their work.
 */
export function functionsOf(
  architecture: Architecture,
  routes: readonly Route[] = ROUTES,
): FunctionSpec[] {
  const deployed = routes.filter((route) => route.localOnly !== true);
  const rest = deployed.filter((route) => route.group !== "graphql");
  switch (architecture) {
    case "nano":
      return rest.map((route) => spec(nanoName(route), routeKey(route), [route]));
    case "micro":
      return [...groupBy(rest, (route) => route.group)].map(([group, members]) =>
        spec(group, `the ${group} resource`, members),
      );
    case "monolith":
      return [spec("api", "every REST route", rest)];
    case "graph":
      return [
        spec(
          "graphql",
          "GraphQL",
          deployed.filter((route) => route.group === "graphql"),
        ),
      ];
  }
}

const ACCESS_ORDER: readonly StoreAccess[] = ["none", "read", "write"];

function spec(name: string, what: string, routes: readonly Route[]): FunctionSpec {
  const store = routes.reduce<StoreAccess>(
    (most, route) =>
      ACCESS_ORDER.indexOf(route.store) > ACCESS_ORDER.indexOf(most) ? route.store : most,
    "none",
  );
  return { name, description: `serverless-store: ${what}`, routes, store };
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
