import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";

export interface QueryLimits {
  /** Longest chain of nested selections, root fields at depth 1. */
  maxDepth: number;
  /** Fields counted once each, and the fields under a list counted `listFactor` times. */
  maxCost: number;
  listFactor: number;
  maxAliases: number;
  /** Size of the query text in bytes, checked before parsing. */
  maxQueryBytes: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 8,
  maxCost: 1000,
  listFactor: 10,
  maxAliases: 15,
  maxQueryBytes: 8 * 1024,
};

const INTROSPECTION_ROOTS = new Set(["__schema", "__type"]);

interface Measure {
  depth: number;
  cost: number;
  aliases: number;
}

/**
 * One validation rule for depth, cost and aliases, measured per operation with fragments
 * expanded. Written here rather than taken from a package: the maintained ones each cover one
 * limit, several pin graphql 15, and this walk is a few dozen lines over graphql-js' own types.
 */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const root =
        operation.operation === "mutation"
          ? context.getSchema().getMutationType()
          : context.getSchema().getQueryType();
      if (root === null || root === undefined) return;
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === "FragmentDefinition") {
          fragments.set(definition.name.value, definition);
        }
      }
      const measure = measureSelections(operation.selectionSet, root, fragments, limits, 1, 1);
      const name = operation.name?.value ?? "the operation";
      if (measure.depth > limits.maxDepth) {
        context.reportError(
          new GraphQLError(
            `${name} is nested ${measure.depth} levels deep; the limit is ${limits.maxDepth}`,
            { nodes: operation, extensions: { code: "QUERY_TOO_DEEP" } },
          ),
        );
      }
      if (measure.cost > limits.maxCost) {
        context.reportError(
          new GraphQLError(
            `${name} costs ${measure.cost}; the limit is ${limits.maxCost} (a field costs 1, and ${limits.listFactor} times as much under a list)`,
            { nodes: operation, extensions: { code: "QUERY_TOO_COMPLEX" } },
          ),
        );
      }
      if (measure.aliases > limits.maxAliases) {
        context.reportError(
          new GraphQLError(
            `${name} uses ${measure.aliases} aliases; the limit is ${limits.maxAliases}`,
            { nodes: operation, extensions: { code: "TOO_MANY_ALIASES" } },
          ),
        );
      }
    },
  });
}

function measureSelections(
  selectionSet: SelectionSetNode,
  parentType: unknown,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  limits: QueryLimits,
  depth: number,
  multiplier: number,
  seen: ReadonlySet<string> = new Set(),
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
      // (GraphiQL, codegen) nests deeper than any data query, and is not counted. Whether
      // introspection is served at all is the executor's choice.
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
            fragments,
            limits,
            depth + 1,
            isList ? multiplier * limits.listFactor : multiplier,
            seen,
          ),
        );
      }
    } else if (selection.kind === "InlineFragment") {
      add(
        measureSelections(
          selection.selectionSet,
          parentType,
          fragments,
          limits,
          depth,
          multiplier,
          seen,
        ),
      );
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // A fragment spread inside itself is NoFragmentCyclesRule's to report; stop walking it.
      if (fragment === undefined || seen.has(name)) continue;
      add(
        measureSelections(
          fragment.selectionSet,
          parentType,
          fragments,
          limits,
          depth,
          multiplier,
          new Set([...seen, name]),
        ),
      );
    }
  }
  return total;
}
