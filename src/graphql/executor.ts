import { type ExecutionResult, execute, GraphQLError, getOperationAST } from "graphql";
import type { Caller, Services } from "../services/index.js";
import { createDocumentReader } from "./document.js";
import { type ErrorLog, formatResolverError } from "./errors.js";
import { DEFAULT_LIMITS, type QueryLimits } from "./limits.js";
import { createRootValue } from "./resolvers.js";
import { schema } from "./schema.js";

export interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

export interface GraphqlResponse {
  /**
   * 200 once execution started (errors then sit in `errors`); 400 when the query was refused
   * before (parsing, validation, limits, variables); 405 for a mutation sent with GET.
   */
  statusCode: number;
  body: ExecutionResult;
}

export interface GraphqlContext {
  /** From the verified token; undefined for an anonymous caller. */
  caller: Caller | undefined;
  /** The request's `Guest-Cart-Token` header as sent (the resolvers that use it validate it). */
  guestCartToken: string | undefined;
  /** The request's `Order-Access-Token` header as sent (`guestOrder` validates it). */
  orderAccessToken?: string | undefined;
  /** The client's address as the edge saw it (the guest checkout's rate limits). */
  clientAddress?: string | undefined;
  method: "GET" | "POST";
  requestId: string;
}

export interface GraphqlExecutor {
  execute(request: GraphqlRequest, context: GraphqlContext): Promise<GraphqlResponse>;
}

export interface GraphqlOptions {
  introspection: boolean;
  limits?: QueryLimits;
  log: ErrorLog;
}

const refused = (message: string, code: string): GraphqlResponse => ({
  statusCode: 400,
  body: { errors: [new GraphQLError(message, { extensions: { code } })] },
});

/**
 * Runs GraphQL requests on the same services as REST. Parsing, validation and the abuse limits
 * refuse a request with 400 before any resolver runs; the caller comes from the verified token.
 */
export function createGraphqlExecutor(
  services: Services,
  options: GraphqlOptions,
): GraphqlExecutor {
  const reader = createDocumentReader(options.limits ?? DEFAULT_LIMITS, {
    introspection: options.introspection,
  });

  return {
    async execute(request, context) {
      const { caller, method, requestId } = context;
      const { document, errors: refusals } = reader.read(request.query);
      if (document === undefined) return { statusCode: 400, body: { errors: refusals } };
      const operation = getOperationAST(document, request.operationName ?? undefined);
      if (method === "GET" && operation?.operation !== "query") {
        // GraphQL over HTTP: 405 for a mutation over GET, whatever the media type.
        return {
          ...refused("only queries may be sent with GET; send mutations with POST", "BAD_REQUEST"),
          statusCode: 405,
        };
      }
      const result = await execute({
        schema,
        document,
        rootValue: createRootValue(services, caller, context),
        variableValues: request.variables ?? undefined,
        operationName: request.operationName ?? undefined,
        // Coercing variables suggests enum values too: not when the schema is not public.
        hideSuggestions: !options.introspection,
      });
      const errors = result.errors?.map((error) =>
        formatResolverError(error, (entry) => options.log({ ...entry, requestId })),
      );
      // No `data` at all: the variables did not fit the operation, a request error (400).
      const statusCode = "data" in result ? 200 : 400;
      return { statusCode, body: errors === undefined ? result : { ...result, errors } };
    },
  };
}
