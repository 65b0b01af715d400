import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import type { Caller, Services } from "../services/index.js";
import { type ErrorLog, formatResolverError } from "./errors.js";
import { DEFAULT_LIMITS, type QueryLimits, queryLimitsRule } from "./limits.js";
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

const MAX_CACHED_DOCUMENTS = 200;

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
  const limits = options.limits ?? DEFAULT_LIMITS;
  const rules = [
    ...specifiedRules,
    queryLimitsRule(limits),
    ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];

  // Clients send the same few query texts over and over: keep the documents that passed parsing
  // and validation (limits included), so a repeated query skips both.
  const validated = new Map<string, DocumentNode>();

  return {
    async execute(request, { caller, guestCartToken, method, requestId }) {
      if (Buffer.byteLength(request.query, "utf8") > limits.maxQueryBytes) {
        return refused(`the query is larger than ${limits.maxQueryBytes} bytes`, "QUERY_TOO_LARGE");
      }
      let document = validated.get(request.query);
      if (document === undefined) {
        try {
          document = parse(request.query, { maxTokens: 2000 });
        } catch (error) {
          if (error instanceof GraphQLError) {
            return { statusCode: 400, body: { errors: [withCode(error, "GRAPHQL_PARSE_FAILED")] } };
          }
          throw error;
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length > 0) {
          return {
            statusCode: 400,
            body: { errors: invalid.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED")) },
          };
        }
        if (validated.size >= MAX_CACHED_DOCUMENTS) {
          // Maps iterate in insertion order: drop the oldest entry.
          const oldest = validated.keys().next().value;
          if (oldest !== undefined) validated.delete(oldest);
        }
        validated.set(request.query, document);
      }
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
        rootValue: createRootValue(services, caller, guestCartToken),
        variableValues: request.variables ?? undefined,
        operationName: request.operationName ?? undefined,
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

function withCode(error: GraphQLError, fallback: string): GraphQLError {
  if (error.extensions.code !== undefined) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    extensions: { code: fallback },
  });
}
