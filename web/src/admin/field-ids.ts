// Ids of the settings pages that need no browser: which input shows what the API said about a
// field, and the id an item added on a page gets from its name.

/**
 * The input id of an API field (`zones[2].countries[0]`) of item `index` of list `list`, by
 * its property (`countries`): `ids` maps the properties the form shows to their inputs.
 */
export function placeIn(
  list: string,
  index: number,
  ids: Record<string, string>,
): (field: string) => string | undefined {
  const prefix = `${list}[${index}].`;
  return (field) => {
    if (!field.startsWith(prefix)) return undefined;
    const property = /^[A-Za-z]+/.exec(field.slice(prefix.length))?.[0] ?? "";
    return ids[property];
  };
}

/** `name` as an id of lower-case letters, digits and hyphens, not one of `taken`. */
export function freshId(name: string, taken: readonly string[], fallback: string): string {
  const base =
    name
      .normalize("NFKD")
      // The accents NFKD took apart from their letters: "Ü" is "u", not "u-".
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || fallback;
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}
