/** GraphQL over HTTP's own media type: request errors then answer 4xx, as the spec says. */
export const GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json";
const JSON_TYPE = "application/json";

export type GraphqlMedia = typeof GRAPHQL_RESPONSE_TYPE | typeof JSON_TYPE;

/**
 * The media type a GraphQL answer goes out in: `application/graphql-response+json` when the
 * `Accept` header takes it (at q > 0), otherwise `application/json`, the spec's legacy type
 * (also for no `Accept` or `*\/*`).
 */
export function graphqlMediaOf(accept: string | undefined): GraphqlMedia {
  if (accept === undefined) return JSON_TYPE;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== GRAPHQL_RESPONSE_TYPE) continue;
    const q = params.find((param) => param.startsWith("q="));
    if (q === undefined || Number(q.slice(2)) > 0) return GRAPHQL_RESPONSE_TYPE;
  }
  return JSON_TYPE;
}

/**
 * The status of a GraphQL answer. Under `application/json` every well-formed GraphQL response
 * is a 200 (its errors say what failed); under `application/graphql-response+json` a request
 * the server refused before executing it keeps its 4xx.
 */
export const graphqlStatus = (media: GraphqlMedia, statusCode: number): number =>
  media === JSON_TYPE && statusCode >= 400 && statusCode < 500 && statusCode !== 405
    ? 200
    : statusCode;
