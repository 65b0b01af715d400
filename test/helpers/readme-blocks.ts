/** A fenced `sh` block of a Markdown file and the HTML comment that says what it is. */
export interface ShellBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** `<!-- recipe: ... -->` (run by the tests) or `<!-- example: ... -->` (not run, and why). */
  marker: { kind: "recipe" | "example"; note: string } | undefined;
  text: string;
}

const MARKER = /^<!--\s*(recipe|example)\s*(?::\s*(.*?))?\s*-->$/;

/** Every fenced `sh` block of `markdown`, with the marker on the last non-blank line before it. */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split("\n");
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```sh\s*$/.test(lines[i] ?? "")) continue;
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line));
    if (end === -1) throw new Error(`the sh block at line ${i + 1} is not closed`);
    let before = i - 1;
    while (before >= 0 && (lines[before] ?? "").trim() === "") before--;
    const marker = MARKER.exec((lines[before] ?? "").trim());
    blocks.push({
      line: i + 1,
      marker:
        marker === null
          ? undefined
          : { kind: marker[1] as "recipe" | "example", note: marker[2] ?? "" },
      text: lines.slice(i + 1, end).join("\n"),
    });
    i = end;
  }
  return blocks;
}

/** `line` without a trailing `# comment` (a `#` after a blank, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

/** The commands of a block as a shell reads them: comments dropped, `\` continuations joined. */
export function commandsOf(text: string): string[] {
  const commands: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = withoutComment(raw);
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const command = `${pending}${line.trim()}`.trim();
    pending = "";
    if (command !== "") commands.push(command);
  }
  return commands;
}
