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

  return (path) => {
    const parts = split(path);
    for (const template of templates) {
      if (template.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let matched = true;
      for (let i = 0; i < parts.length && matched; i++) {
        const segment = template.segments[i];
        const part = parts[i] ?? "";
        if (segment === undefined) matched = false;
        else if ("literal" in segment) matched = segment.literal === part;
        else {
          const value = decode(part);
          if (value === undefined || value === "") matched = false;
          else params[segment.param] = value;
        }
      }
      if (matched) return { resource: template.resource, params };
    }
    return undefined;
  };
}

/** `/a/b/` and `/a/b` are one path; `//a` and `/a//b` keep their empty segments and match nothing. */
function split(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed === "/" || trimmed === "" ? [] : trimmed.slice(1).split("/");
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
