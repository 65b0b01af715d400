// What a scale run records of its requests, and how `npm run bench -- scale` prints it.
import type { PartitionUsage } from "./scale-budget.js";

interface Entry {
  action: string;
  status: number;
  ms: number;
}

/** The answers of one kind of request (or of all), added up. */
export interface RequestSummary {
  requests: number;
  /** Answered 2xx. */
  accepted: number;
  /** Answered 503 (STORE_UNAVAILABLE, with Retry-After). */
  unavailable: number;
  /** Answered anything else (4xx refusals such as OUT_OF_STOCK, 500s). */
  other: number;
  p50Ms: number;
  p99Ms: number;
}

/** Every request a scenario sent: what it was, what it answered, how long it took. */
export class RequestLog {
  private entries: Entry[] = [];

  record(action: string, answer: { status: number; ms: number }): void {
    this.entries.push({ action, status: answer.status, ms: answer.ms });
  }

  /** The requests of `action`, or all of them. */
  summary(action?: string): RequestSummary {
    const chosen =
      action === undefined ? this.entries : this.entries.filter((e) => e.action === action);
    const ms = chosen.map((e) => e.ms).sort((a, b) => a - b);
    const accepted = chosen.filter((e) => e.status >= 200 && e.status < 300).length;
    const unavailable = chosen.filter((e) => e.status === 503).length;
    return {
      requests: chosen.length,
      accepted,
      unavailable,
      other: chosen.length - accepted - unavailable,
      p50Ms: percentile(ms, 0.5),
      p99Ms: percentile(ms, 0.99),
    };
  }

  /** Statuses of `action` and how many answered each: `202:40 503:3`. */
  statuses(action: string): string {
    const counts = new Map<number, number>();
    for (const entry of this.entries) {
      if (entry.action === action) counts.set(entry.status, (counts.get(entry.status) ?? 0) + 1);
    }
    return [...counts]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}:${n}`)
      .join(" ");
  }

  clear(): void {
    this.entries = [];
  }
}

/** The value below which a share `p` of the sorted values lie (nearest rank); 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/** The keys that took the most throttles, then the most units: `GSI1 CATALOGUE (write) 310`. */
export function hotKeys(partitions: readonly PartitionUsage[], count = 3): string {
  const throttled = partitions
    .filter((usage) => usage.throttles > 0)
    .sort((a, b) => b.throttles - a.throttles)
    .slice(0, count);
  if (throttled.length === 0) return "none";
  return throttled
    .map((usage) => `${usage.partition} (${usage.kind}) ${usage.throttles}`)
    .join(", ");
}

/** A Markdown table, columns padded to their widest cell. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) console.log(line(row));
}

/** The keys of a run by units consumed and by throttles, with their peak use of the budget. */
export function printPartitions(partitions: readonly PartitionUsage[], count = 6): void {
  const row = (usage: PartitionUsage) => [
    usage.partition,
    usage.kind,
    formatNumber(usage.units),
    String(usage.throttles),
    `${Math.round(usage.peakPercentOfBudget)}%`,
  ];
  const header = ["partition key", "kind", "units", "throttles", "peak 1 s / budget"];
  const byUnits = [...partitions].sort((a, b) => b.units - a.units).slice(0, count);
  const byThrottles = [...partitions]
    .filter((usage) => usage.throttles > 0 && !byUnits.includes(usage))
    .sort((a, b) => b.throttles - a.throttles)
    .slice(0, count);
  printTable(header, [...byUnits, ...byThrottles].map(row));
}

export const formatNumber = (n: number, digits = 1): string =>
  Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(digits);
