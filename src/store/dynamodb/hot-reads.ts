// What one process keeps, for a second, of items that every shopper's request would read: a
// product made ready for a rush (its item and stock shards) and a promotion counted on shards.
// Each such item is one partition key that a read per request would throttle; kept per process,
// its reads are bounded by the running instances. Checkout's conditions (on the stock shards,
// on the promotion's use shards) stay exact whatever was kept.

/** How long a process keeps an item it read. */
export const HOT_READ_MS = 1_000;

interface Kept<T> {
  value: T;
  until: number;
}

/**
 * Items kept by key for HOT_READ_MS. A read that started before one of this process's own
 * writes to a key (`changed`) is not kept, so the process always reads its own writes.
 */
export class HotReads<T> {
  private readonly kept = new Map<string, Kept<T>>();
  private readonly changes = new Map<string, number>();
  /** Counts `changedAll`: a read that started before one keeps nothing. */
  private generation = 0;

  constructor(private readonly ttlMs = HOT_READ_MS) {}

  /** The value kept for `key`, if it is younger than the TTL. */
  get(key: string, now = Date.now()): T | undefined {
    const entry = this.kept.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.value;
    this.kept.delete(key);
    return undefined;
  }

  /** Where a read of `key` starts: pass it to `keep` when the read is done. */
  mark(key: string): string {
    return `${this.generation}:${this.changes.get(key) ?? 0}`;
  }

  /** Keeps what a read that started at `mark` found, unless this process wrote `key` since. */
  keep(key: string, value: T, mark: string, now = Date.now()): void {
    if (this.mark(key) === mark) this.kept.set(key, { value, until: now + this.ttlMs });
  }

  /** This process wrote what every key depends on: forgets them all. */
  changedAll(): void {
    this.generation += 1;
    this.kept.clear();
  }

  /**
   * This process wrote something every kept value may hold: applies the write to each of them
   * (a read in flight meanwhile may still keep what it read, for at most the TTL).
   */
  updateAll(update: (value: T) => T): void {
    for (const entry of this.kept.values()) entry.value = update(entry.value);
  }

  /** This process wrote `key`: forgets it, or, with `update`, applies the write to it. */
  changed(key: string, update?: (value: T) => T): void {
    this.changes.set(key, (this.changes.get(key) ?? 0) + 1);
    const entry = this.kept.get(key);
    if (entry === undefined) return;
    if (update === undefined) this.kept.delete(key);
    else entry.value = update(entry.value);
  }
}

/** One HotReads per owner (a table), made on first use. */
export function hotReadsOf<K extends object, T>(
  all: WeakMap<K, HotReads<T>>,
  owner: K,
): HotReads<T> {
  let reads = all.get(owner);
  if (reads === undefined) {
    reads = new HotReads<T>();
    all.set(owner, reads);
  }
  return reads;
}
