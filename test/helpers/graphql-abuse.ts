import type {
  GraphqlContext,
  GraphqlExecutor,
  GraphqlResponse,
} from "../../src/graphql/executor.js";

/**
 * `query{...F0} fragment F0 on Query{...F1 ...F1} ... fragment F<levels> on Query{__typename}`:
 * each fragment spreads the next twice, 2^levels fields once expanded, under 1 KB at 21 levels.
 */
export function doublingFragments(levels: number): string {
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Query{...F${i + 1} ...F${i + 1}}`,
  );
  return `query{...F0} ${fragments.join(" ")} fragment F${levels} on Query{__typename}`;
}

/** A list literal `depth` brackets deep, as an argument. */
export const nestedList = (depth: number): string =>
  `{ products(first: ${"[".repeat(depth)}${"]".repeat(depth)}) { items { id } } }`;

/** Fills a document up to (not over) `maxBytes` with copies of `part` between `head` and `tail`. */
function fillTo(maxBytes: number, head: string, part: (i: number) => string, tail: string): string {
  let body = "";
  for (let i = 0; ; i++) {
    const next = part(i);
    if (Buffer.byteLength(head + body + next + tail) > maxBytes) break;
    body += next;
  }
  return head + body + tail;
}

// Room for the few bytes a caller adds to make each copy new to the executor's cache.
const UNDER_8_KIB = 8 * 1024 - 16;

/**
 * The documents of the abuse limits, each under 8 KiB: what an anonymous caller can send
 * to make the server work before any resolver runs.
 */
export const ABUSIVE_DOCUMENTS: Readonly<Record<string, string>> = {
  "fragments doubling, 21 levels": doublingFragments(21),
  "fragments doubling, 40 levels": doublingFragments(40),
  "list literal 2,000 brackets deep": nestedList(2000),
  "aliases up to 8 KiB": fillTo(UNDER_8_KIB, "{", (i) => ` a${i}:__typename`, " }"),
  "same field with a selection, up to 8 KiB": fillTo(
    UNDER_8_KIB,
    "{",
    () => " products{items{id}}",
    " }",
  ),
  // Within every cap: these pass the limits and run the specification's rules and execution.
  "same field with a selection, up to the field cap": `{${" products(first: 5){items{id}}".repeat(66)} }`,
  "one field up to the field cap": `{${" __typename".repeat(200)} }`,
  "costliest catalogue read within the limits": `{${[1, 2]
    .map(
      (i) =>
        ` p${i}: products(first: 50) { items { id name description priceCents comments(first: 1) { items { id author text } } } }`,
    )
    .join("")} }`,
  "introspection up to the field cap": `{${" __schema{types{fields{name}}}".repeat(50)} }`,
  "spreads of one fragment, up to 8 KiB": fillTo(
    UNDER_8_KIB,
    "{",
    () => " ...A",
    " } fragment A on Query{__typename}",
  ),
  "spreads of one fragment, under the token limit": `{${" ...A".repeat(990)} } fragment A on Query{__typename}`,
};

export const BASELINE_DOCUMENT = "{ products { items { id } } }";

export interface CpuMeasure {
  /** User and system CPU time of this process during the call, in milliseconds. */
  cpuMs: number;
  response: GraphqlResponse;
}

/**
 * One executor call and the CPU time the process spent on it (the process does nothing else).
 * `copy` numbers a comment appended to the text, as a caller would vary it: the executor keeps
 * the documents it accepted by their text, and a new text is read and checked again.
 */
export async function serverCpuOf(
  executor: GraphqlExecutor,
  query: string,
  context: GraphqlContext,
  copy = 0,
): Promise<CpuMeasure> {
  const text = `${query}\n#${copy}`;
  const before = process.cpuUsage();
  const response = await executor.execute({ query: text }, context);
  const spent = process.cpuUsage(before);
  return { cpuMs: (spent.user + spent.system) / 1000, response };
}
