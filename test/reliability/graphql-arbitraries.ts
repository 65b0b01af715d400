import fc from "fast-check";
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from "graphql";
import { hostileString, rarely } from "./rest-arbitraries.js";

// Random GraphQL documents within the schema's grammar: operations of the schema's own fields
// with arguments of (usually) the right type, as literals or variables, aliases, inline and
// named fragments, nested selections, and now and then an unknown field, a wrong type or a
// document cut or spliced at a random point.

export interface GeneratedGraphql {
  query: string;
  variables: Record<string, unknown>;
}

interface Piece {
  text: string;
  variables: { name: string; type: string; value: unknown }[];
}

const MAX_DEPTH = 5;

function literalOf(
  type: GraphQLInputType,
  knownIds: readonly string[],
  depth: number,
): fc.Arbitrary<string> {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) {
    if (depth > 2) return fc.constant("[]");
    return fc
      .array(literalOf(inner.ofType, knownIds, depth + 1), { maxLength: 3 })
      .map((items) => `[${items.join(", ")}]`);
  }
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    if (depth > 2) return fc.constant("{}");
    return fc
      .tuple(
        ...fields.map((field) =>
          rarely(
            literalOf(field.type, knownIds, depth + 1).map((value) => `${field.name}: ${value}`),
            isNonNullType(field.type) ? 20 : 1,
            1,
          ),
        ),
      )
      .map((parts) => `{${parts.filter((p) => p !== null).join(", ")}}`);
  }
  if (isEnumType(inner)) return fc.constantFrom(...inner.getValues().map((v) => v.name));
  const scalar = isScalarType(inner) ? inner.name : "String";
  const right: Record<string, fc.Arbitrary<string>> = {
    Int: fc
      .oneof(
        fc.integer({ min: -5, max: 120 }),
        fc.constantFrom(0, -1, 2147483647, 2147483648, -2147483649),
      )
      .map(String),
    Float: fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map((n) => (Number.isInteger(n) ? `${n}.0` : String(n))),
    Boolean: fc.boolean().map(String),
    ID: fc.oneof(fc.constantFrom(...knownIds), hostileString(40)).map((s) => JSON.stringify(s)),
    String: fc
      .oneof(
        hostileString(60),
        fc.constantFrom("WELCOME10", "2030-01-01T00:00:00.000Z", "image/png"),
      )
      .map((s) => JSON.stringify(s)),
  };
  const wrong = fc.constantFrom(
    "null",
    "true",
    "1.5",
    '"x"',
    "[1]",
    "{a: 1}",
    "$undeclared",
    "ENUM_VALUE",
  );
  return fc.oneof(
    { weight: 40, arbitrary: right[scalar] ?? (right.String as fc.Arbitrary<string>) },
    { weight: 1, arbitrary: wrong },
  );
}

function variableValueOf(
  type: GraphQLInputType,
  knownIds: readonly string[],
): fc.Arbitrary<unknown> {
  // The literal's text parsed as JSON where it is JSON; otherwise any JSON value (a wrong type).
  return fc.oneof(
    {
      weight: 4,
      arbitrary: literalOf(type, knownIds, 0).map((text) => {
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}

let variableCount = 0;

function fieldOf(
  field: GraphQLField<unknown, unknown>,
  knownIds: readonly string[],
  depth: number,
): fc.Arbitrary<Piece> {
  const args = field.args.map((arg) =>
    rarely(
      fc.oneof(
        {
          weight: 3,
          arbitrary: literalOf(arg.type, knownIds, 0).map(
            (text): Piece => ({ text: `${arg.name}: ${text}`, variables: [] }),
          ),
        },
        {
          weight: 1,
          arbitrary: variableValueOf(arg.type, knownIds).map((value): Piece => {
            variableCount += 1;
            const name = `v${variableCount}`;
            return {
              text: `${arg.name}: $${name}`,
              variables: [{ name, type: String(arg.type), value }],
            };
          }),
        },
      ),
      isNonNullType(arg.type) ? 30 : 1,
      isNonNullType(arg.type) ? 1 : 2,
    ),
  );
  const named = getNamedType(field.type);
  const selection: fc.Arbitrary<Piece | null> = isObjectType(named)
    ? depth >= MAX_DEPTH
      ? fc.constant<Piece>({ text: "{ __typename }", variables: [] })
      : selectionSetOf(named, knownIds, depth + 1)
    : fc.oneof(
        { weight: 80, arbitrary: fc.constant<Piece | null>(null) },
        { weight: 1, arbitrary: fc.constant<Piece | null>({ text: "{ id }", variables: [] }) },
      );
  return fc
    .record({
      alias: rarely(fc.constantFrom("a", "b", "x1", "same"), 1, 5),
      args: fc.tuple(...args),
      selection,
    })
    .map(({ alias, args: given, selection: sub }) => {
      const present = given.filter((a): a is Piece => a !== null);
      const argText = present.length === 0 ? "" : `(${present.map((a) => a.text).join(", ")})`;
      return {
        text: `${alias === null ? "" : `${alias}: `}${field.name}${argText}${sub === null ? "" : ` ${sub.text}`}`,
        variables: [...present.flatMap((a) => a.variables), ...(sub?.variables ?? [])],
      };
    });
}

function selectionSetOf(
  type: GraphQLObjectType,
  knownIds: readonly string[],
  depth: number,
): fc.Arbitrary<Piece> {
  const fields = Object.values(type.getFields());
  const pick = fc.oneof(
    {
      weight: 40,
      arbitrary: fc.constantFrom(...fields).chain((field) => fieldOf(field, knownIds, depth)),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("__typename", "unknownField", "id { id }")
        .map((text) => ({ text, variables: [] })),
    },
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...fields)
        .chain((field) => fieldOf(field, knownIds, depth))
        .map((piece) => ({
          text: `... on ${type.name} { ${piece.text} }`,
          variables: piece.variables,
        })),
    },
  );
  return fc.array(pick, { minLength: 1, maxLength: depth === 1 ? 3 : 4 }).map((pieces) => ({
    text: `{ ${pieces.map((p) => p.text).join(" ")} }`,
    variables: pieces.flatMap((p) => p.variables),
  }));
}

/** A document of one operation over the schema, sometimes damaged. */
export function graphqlDocument(
  schema: GraphQLSchema,
  knownIds: readonly string[],
): fc.Arbitrary<GeneratedGraphql> {
  const roots = [schema.getQueryType(), schema.getMutationType()].filter(
    (t): t is GraphQLObjectType => t !== null && t !== undefined,
  );
  return fc
    .record({
      root: fc.oneof(
        { weight: 2, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.constant(roots.length - 1) },
      ),
      asFragment: fc.boolean(),
      damage: rarely(fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 3 })), 1, 8),
      seed: fc.nat(),
    })
    .chain(({ root, asFragment, damage }) => {
      const type = roots[root] as GraphQLObjectType;
      const keyword = type === schema.getMutationType() ? "mutation" : "query";
      return selectionSetOf(type, knownIds, 1).map((set) => {
        const declared = set.variables.map((v) => `$${v.name}: ${v.type}`).join(", ");
        const header = `${keyword} Fuzz${declared === "" ? "" : `(${declared})`}`;
        let query = asFragment
          ? `${header} { ...Root } fragment Root on ${type.name} ${set.text}`
          : `${header} ${set.text}`;
        if (damage !== null) {
          const [at, cut, insert] = damage;
          const position = at % (query.length + 1);
          query = query.slice(0, position) + insert + query.slice(position + cut);
        }
        const variables: Record<string, unknown> = {};
        for (const v of set.variables) variables[v.name] = v.value;
        return { query, variables };
      });
    });
}
