import {
  type DocumentNode,
  GraphQLError,
  Lexer,
  NoSchemaIntrospectionCustomRule,
  parse,
  Source,
  specifiedRules,
  TokenKind,
  validate,
} from "graphql";
import { type QueryLimits, queryLimitsRule } from "./limits.js";
import { schema } from "./schema.js";

/** A document ready to execute, or the errors that refused it (a 400). */
export type ReadResult =
  | { document: DocumentNode; errors?: undefined }
  | { document?: undefined; errors: readonly GraphQLError[] };

export interface DocumentReader {
  read(query: string): ReadResult;
}

const MAX_CACHED_DOCUMENTS = 200;
const OPENING = new Set<TokenKind>([TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L]);
const CLOSING = new Set<TokenKind>([TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R]);

const refusal = (message: string, code: string): ReadResult => ({
  errors: [new GraphQLError(message, { extensions: { code } })],
});

/**
 * Turns a query text into a document that passed every check: its size, its nesting, parsing
 * (with graphql-js' token limit), the abuse limits and then the specification's rules. The
 * limits run on their own first, so the specification's rules (some of which compare fields
 * pairwise) only ever see a document already known to be small. With introspection off, no
 * error suggests a name of the schema ("Did you mean ...").
 */
export function createDocumentReader(
  limits: QueryLimits,
  options: { introspection: boolean },
): DocumentReader {
  const limitRules = [queryLimitsRule(limits)];
  const specRules = [
    ...specifiedRules,
    ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  const validation = { hideSuggestions: !options.introspection };
  // Clients send the same few query texts over and over: keep the documents that passed, so a
  // repeated query skips every check.
  const accepted = new Map<string, DocumentNode>();

  function check(query: string): ReadResult {
    if (Buffer.byteLength(query, "utf8") > limits.maxQueryBytes) {
      return refusal(`the query is larger than ${limits.maxQueryBytes} bytes`, "QUERY_TOO_LARGE");
    }
    const source = new Source(query);
    // The parser recurses once per bracket: bound the nesting before it runs, so that no text
    // under the size limit can exhaust the stack, warm or cold.
    const nesting = nestingOf(source, limits);
    if (nesting > limits.maxNesting) {
      return refusal(
        `the query's brackets ({, [ and () nest deeper than the limit of ${limits.maxNesting}`,
        "QUERY_TOO_NESTED",
      );
    }
    const document = parse(source, { maxTokens: limits.maxTokens });
    const overLimits = validate(schema, document, limitRules, validation);
    if (overLimits.length > 0) return { errors: overLimits };
    const invalid = validate(schema, document, specRules, validation);
    if (invalid.length > 0) {
      return { errors: invalid.map((error) => withCode(error, "GRAPHQL_VALIDATION_FAILED")) };
    }
    return { document };
  }

  return {
    read(query) {
      const known = accepted.get(query);
      if (known !== undefined) return { document: known };
      let result: ReadResult;
      try {
        result = check(query);
      } catch (error) {
        if (error instanceof GraphQLError) {
          return { errors: [withCode(error, "GRAPHQL_PARSE_FAILED")] };
        }
        // A stack overflow while reading the query is the query's fault, never the server's:
        // a 400 with nothing of the overflow in it.
        if (error instanceof RangeError) {
          return refusal("the query is nested too deeply to read", "QUERY_TOO_NESTED");
        }
        throw error;
      }
      if (result.document !== undefined) {
        if (accepted.size >= MAX_CACHED_DOCUMENTS) {
          // Maps iterate in insertion order: drop the oldest entry.
          const oldest = accepted.keys().next().value;
          if (oldest !== undefined) accepted.delete(oldest);
        }
        accepted.set(query, result.document);
      }
      return result;
    },
  };
}

/**
 * How deep the query text's brackets nest, read with graphql-js' own lexer (which loops, never
 * recurses) up to the token limit; a syntax error is thrown as the parser would throw it.
 */
function nestingOf(source: Source, limits: QueryLimits): number {
  const lexer = new Lexer(source);
  let open = 0;
  let deepest = 0;
  for (let tokens = 0; tokens <= limits.maxTokens; tokens++) {
    const token = lexer.advance();
    if (token.kind === TokenKind.EOF) break;
    if (OPENING.has(token.kind)) {
      open += 1;
      deepest = Math.max(deepest, open);
      if (deepest > limits.maxNesting) break;
    } else if (CLOSING.has(token.kind)) {
      open -= 1;
    }
  }
  return deepest;
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
