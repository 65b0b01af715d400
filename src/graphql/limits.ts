import {
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { PAGE_LIMITS } from "../services/index.js";

export interface QueryLimits {
  /** Longest chain of nested selections, root fields at depth 1. */
  maxDepth: number;
  /**
   * Fields counted once each, and the fields under a list counted once per item it can hold:
   * under a page's `items`, the page size the query asks for; under any other list, `listFactor`.
   */
  maxCost: number;
  listFactor: number;
  maxAliases: number;
  /** Size of the query text in bytes, checked before parsing. */
  maxQueryBytes: number;
  /** Lexical tokens of the query text, graphql-js' own `maxTokens`: the parser stops there. */
  maxTokens: number;
  /** Brackets (`{`, `[`, `(`) open at once in the query text, checked before parsing. */
  maxNesting: number;
  /** `...Name` spreads in the document as written, counted before any is expanded. */
  maxFragmentSpreads: number;
  /** Fields in the document as written, introspection's included. */
  maxFields: number;
}

// The caps leave graphql-js' standard introspection query (with every option: 73 fields,
// 8 spreads, 184 tokens, brackets 10 deep) room, and refuse what no client of this schema writes.
export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 8,
  maxCost: 1000,
  listFactor: 10,
  maxAliases: 15,
  maxQueryBytes: 8 * 1024,
  maxTokens: 2000,
  maxNesting: 32,
  maxFragmentSpreads: 32,
  maxFields: 200,
};

const INTROSPECTION_ROOTS = new Set(["__schema", "__type"]);
// A field that takes this argument answers a page (the shoppers' lists and the operators'): 1 to
// PAGE_LIMITS.maxLimit items, PAGE_LIMITS.defaultLimit when absent.
const PAGE_SIZE_ARGUMENT = "first";

interface Measure {
  depth: number;
  cost: number;
  aliases: number;
}

/**
 * One validation rule for the document's size (fields and fragment spreads as written) and,
 * per operation with fragments expanded, its depth, cost and aliases. Each fragment is measured
 * once and its measure reused at every spread, so the work is linear in the document however
 * often fragments spread each other. Written here rather than taken from a package: the
 * maintained ones each cover one limit, several pin graphql 15, and none memoizes fragments.
 */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let fields = 0;
    let spreads = 0;
    return {
      Field() {
        fields += 1;
      },
      FragmentSpread() {
        spreads += 1;
      },
      Document: {
        leave(document) {
          const refuse = (message: string, code: string, nodes: OperationDefinitionNode[] = []) =>
            context.reportError(new GraphQLError(message, { nodes, extensions: { code } }));
          if (fields > limits.maxFields) {
            refuse(
              `the document has ${fields} fields; the limit is ${limits.maxFields}`,
              "TOO_MANY_FIELDS",
            );
          }
          if (spreads > limits.maxFragmentSpreads) {
            refuse(
              `the document has ${spreads} fragment spreads; the limit is ${limits.maxFragmentSpreads}`,
              "TOO_MANY_FRAGMENT_SPREADS",
            );
          }
          // Over either cap, the document is refused already; its operations are not measured.
          if (fields > limits.maxFields || spreads > limits.maxFragmentSpreads) return;
          const measurer = createMeasurer(context.getSchema(), document, limits);
          for (const operation of document.definitions) {
            if (operation.kind !== "OperationDefinition") continue;
            const measure = measurer.operation(operation);
            if (measure === undefined) continue;
            const name = operation.name?.value ?? "the operation";
            if (measure.depth > limits.maxDepth) {
              refuse(
                `${name} is nested ${measure.depth} levels deep; the limit is ${limits.maxDepth}`,
                "QUERY_TOO_DEEP",
                [operation],
              );
            }
            if (measure.cost > limits.maxCost) {
              refuse(
                `${name} costs ${measure.cost}; the limit is ${limits.maxCost} (a field costs 1, times the page size under a page's items and ${limits.listFactor} under any other list)`,
                "QUERY_TOO_COMPLEX",
                [operation],
              );
            }
            if (measure.aliases > limits.maxAliases) {
              refuse(
                `${name} uses ${measure.aliases} aliases; the limit is ${limits.maxAliases}`,
                "TOO_MANY_ALIASES",
                [operation],
              );
            }
          }
        },
      },
    };
  };
}

/**
 * How many items the page `selection` answers can hold, or undefined when it is no page. The
 * number the query asks for when it is written in the query; the page's default when it asks
 * for none (absent or null, as the resolvers read it); else the largest page. The rule runs once
 * per query text, before and without the request's variables (accepted documents are cached by
 * text), so a variable counts as the largest page, and so does a literal the resolvers refuse.
 */
function pageSizeOf(
  selection: FieldNode,
  field: GraphQLField<unknown, unknown> | undefined,
): number | undefined {
  const parameter = field?.args.find((argument) => argument.name === PAGE_SIZE_ARGUMENT);
  if (parameter === undefined) return undefined;
  const value = selection.arguments?.find((argument) => argument.name.value === parameter.name);
  if (value === undefined || value.value.kind === Kind.NULL) return PAGE_LIMITS.defaultLimit;
  if (value.value.kind === Kind.INT) {
    const asked = Number(value.value.value);
    if (asked >= 1 && asked <= PAGE_LIMITS.maxLimit) return asked;
  }
  return PAGE_LIMITS.maxLimit;
}

/**
 * Measures a document's operations. A list multiplies the cost of what it holds by the page size
 * when it is a page's list (`items` of `products(first: 5)`: 5), by `listFactor` otherwise. A
 * fragment's measure is taken once per page size it is spread in (its lists may be the page's),
 * relative to where it is spread (depth 0, multiplier 1), and scaled at each spread: its depth
 * adds to the spread's, its cost is multiplied by the spread's multiplier.
 */
function createMeasurer(schema: GraphQLSchema, document: DocumentNode, limits: QueryLimits) {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === "FragmentDefinition") {
      fragments.set(definition.name.value, definition);
    }
  }
  // Keyed by fragment and page size. "measuring" marks a fragment being walked: met again, it is
  // a cycle, which is NoFragmentCyclesRule's to report; it counts as empty here.
  const measured = new Map<string, Measure | "measuring">();

  function fragmentMeasure(name: string, pageSize: number | undefined): Measure | undefined {
    const key = `${name} ${pageSize ?? ""}`;
    const known = measured.get(key);
    if (known === "measuring") return undefined;
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (fragment === undefined) return undefined;
    measured.set(key, "measuring");
    const type = schema.getType(fragment.typeCondition.name.value);
    const measure = measureSelections(fragment.selectionSet, type, 0, 1, pageSize);
    measured.set(key, measure);
    return measure;
  }

  /** `pageSize`: the selections are a page's (its `items` hold that many), else undefined. */
  function measureSelections(
    selectionSet: SelectionSetNode,
    parentType: unknown,
    depth: number,
    multiplier: number,
    pageSize: number | undefined,
  ): Measure {
    const total: Measure = { depth, cost: 0, aliases: 0 };
    const add = (inner: Measure) => {
      total.depth = Math.max(total.depth, inner.depth);
      total.cost += inner.cost;
      total.aliases += inner.aliases;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === "Field") {
        // Introspection reads the static schema, never the store: tooling's standard query
        // (GraphiQL, codegen) nests deeper than any data query, and is not measured (the
        // document's field cap still counts it). Whether introspection is served at all is
        // the executor's choice.
        if (INTROSPECTION_ROOTS.has(selection.name.value)) continue;
        total.cost += multiplier;
        if (selection.alias !== undefined) total.aliases += 1;
        const field: GraphQLField<unknown, unknown> | undefined = isObjectType(parentType)
          ? parentType.getFields()[selection.name.value]
          : undefined;
        if (selection.selectionSet !== undefined) {
          const isList = field !== undefined && isListType(getNullableType(field.type));
          add(
            measureSelections(
              selection.selectionSet,
              field === undefined ? undefined : getNamedType(field.type),
              depth + 1,
              isList ? multiplier * (pageSize ?? limits.listFactor) : multiplier,
              pageSizeOf(selection, field),
            ),
          );
        }
      } else if (selection.kind === "InlineFragment") {
        const condition = selection.typeCondition?.name.value;
        const type = condition === undefined ? parentType : schema.getType(condition);
        add(measureSelections(selection.selectionSet, type, depth, multiplier, pageSize));
      } else {
        const fragment = fragmentMeasure(selection.name.value, pageSize);
        if (fragment === undefined) continue;
        add({
          depth: depth + fragment.depth,
          cost: fragment.cost * multiplier,
          aliases: fragment.aliases,
        });
      }
    }
    return total;
  }

  return {
    /** The operation's measure, or undefined when the schema has no root type for it. */
    operation(operation: OperationDefinitionNode): Measure | undefined {
      const root =
        operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
      if (root === null || root === undefined) return undefined;
      return measureSelections(operation.selectionSet, root, 1, 1, undefined);
    },
  };
}
