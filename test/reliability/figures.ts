import { appendFileSync } from "node:fs";

/**
 * One measured figure of RELIABILITY.md. Printed as `[figure] key = value` in every run; when
 * RELIABILITY_FIGURES names a file (`npm run reliability` sets it) also appended to it as one
 * JSON line, which the script turns into the table.
 */
export function recordFigure(key: string, value: number | string, unit = ""): void {
  const line = { key, value, unit };
  process.stdout.write(`[figure] ${key} = ${value}${unit === "" ? "" : ` ${unit}`}\n`);
  const file = process.env.RELIABILITY_FIGURES;
  if (file !== undefined && file !== "") appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/**
 * How many generated cases a property runs: `base` in `npm test`, or RELIABILITY_RUNS spread
 * the same way (`npm run reliability` sets it for the long run).
 */
export function runsOf(base: number, share = 1): number {
  const total = Number(process.env.RELIABILITY_RUNS ?? "");
  if (!Number.isInteger(total) || total <= 0) return base;
  return Math.max(1, Math.ceil(total * share));
}

/** The fixed seed of `npm test`'s sample; RELIABILITY_SEED replays another. */
export const FUZZ_SEED = Number(process.env.RELIABILITY_SEED ?? 1414);
