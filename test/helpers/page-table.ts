import { readFile } from "node:fs/promises";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/**
 * The page addresses of a Markdown table whose last column is headed `address` (the README's
 * `| page | address |`), as written: every backticked address of that column, in order,
 * patterns such as `/item/{id}` included.
 */
export function pageTableAddresses(markdown: string): string[] {
  const lines = markdown.split("\n");
  const header = lines.findIndex((line) => /^\|.*\|\s*address\s*\|\s*$/i.test(line.trim()));
  if (header === -1) throw new Error("no Markdown table with an `address` column");
  const addresses: string[] = [];
  // The header, its `| --- |` line, then the rows up to the first line that is not one.
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith("|")) break;
    const cells = line.trim().slice(1, -1).split("|");
    const last = cells[cells.length - 1] ?? "";
    for (const match of last.matchAll(/`([^`]+)`/g)) addresses.push(match[1] ?? "");
  }
  return addresses;
}

/** The README's page table's addresses, as `pageTableAddresses` reads them. */
export async function readmePageAddresses(): Promise<string[]> {
  return pageTableAddresses(await readFile(join(ROOT, "README.md"), "utf8"));
}
