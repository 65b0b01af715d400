/** Matches concrete paths against API Gateway resource templates such as `/products/{id}`. */
export interface PathMatch {
  resource: string;
  params: Record<string, string>;
}

type Segment = { literal: string } | { param: string };

export type PathMatcher = (path: string) => PathMatch | undefined;

/**
 * What API Gateway does before invoking a function: find the resource template a path belongs
 * to. Literal segments win over parameters (`/products/new` before `/products/{id}`), as in
 * API Gateway. Parameter values are percent-decoded.
 */
export function createPathMatcher(resources: Iterable<string>): PathMatcher {
  const templates = [...new Set(resources)].map((resource) => ({
    resource,
    segments: split(resource).map(
      (s): Segment =>
        s.startsWith("{") && s.endsWith("}") ? { param: s.slice(1, -1) } : { literal: s },
    ),
  }));
  // More literal segments first, so the most specific template wins.
  const literalCount = (t: (typeof templates)[number]) =>
    t.segments.filter((s) => "literal" in s).length;
  templates.sort((a, b) => literalCount(b) - literalCount(a));
  // Asked on every request: only the templates as long as the path are tried.
  const byLength = new Map<number, typeof templates>();
  for (const template of templates) {
    const same = byLength.get(template.segments.length) ?? [];
    same.push(template);
    byLength.set(template.segments.length, same);
  }

  return (path) => {
    const parts = split(path);
    for (const template of byLength.get(parts.length) ?? []) {
      const params = paramsOf(template.segments, parts);
      if (params !== undefined) return { resource: template.resource, params };
    }
    return undefined;
  };
}

/** The parameters of `parts` under a template's segments, or undefined when they do not fit. */
function paramsOf(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  // Literals first: most templates are ruled out before a parameter is decoded.
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment !== undefined && "literal" in segment && segment.literal !== parts[i]) {
      return undefined;
    }
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === undefined || "literal" in segment) continue;
    const value = decode(parts[i] ?? "");
    if (value === undefined || value === "") return undefined;
    params[segment.param] = value;
  }
  return params;
}

/**
 * `/a/b/` and `/a/b` are one path; `//a` and `/a//b` keep their empty segments and match nothing.
 * Cut with `indexOf`: `split("/")` was a measurable share of a request (BENCHMARKS.md).
 */
function split(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  const parts: string[] = [];
  if (trimmed === "/" || trimmed === "") return parts;
  for (let start = 1; ; ) {
    const slash = trimmed.indexOf("/", start);
    if (slash === -1) {
      parts.push(trimmed.slice(start));
      return parts;
    }
    parts.push(trimmed.slice(start, slash));
    start = slash + 1;
  }
}

function decode(part: string): string | undefined {
  if (!part.includes("%")) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
