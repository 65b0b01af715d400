// The throughput each partition key may use: one token bucket per key and kind (read, write),
// refilled at the key's rate up to a burst, as DynamoDB serves one partition key at most about
// 1,000 write units and 3,000 read units a second. A request may go while none of its keys'
// buckets is below zero. What it will consume is estimated and reserved as it goes (so requests
// arriving together do not all pass a bucket that can pay for one), and settled against what it
// did consume once it is answered: a bucket can end in debt, and its key is refused until the
// refill pays the debt back. Also the record of what each key used and how often it was refused.
import type { CapacityKind, Charge, Partition } from "./scale-metering.js";

/** AWS's per-key limits, units per second. */
export const AWS_WRITE_UNITS_PER_KEY = 1_000;
export const AWS_READ_UNITS_PER_KEY = 3_000;

export interface BudgetOptions {
  /** Write units per second one partition key is served (default: 1/50 of AWS's, 20). */
  writeUnitsPerSecond?: number;
  /** Read units per second one partition key is served (default: 1/50 of AWS's, 60). */
  readUnitsPerSecond?: number;
  /** How many seconds of a key's rate its bucket holds: what a key may burst (default 2). */
  burstSeconds?: number;
  /** Milliseconds; `performance.now` unless a test drives the time. */
  nowMs?: () => number;
}

/** The budget scaled down 1/50 from AWS's, so a laptop's DynamoDB Local can reach it. */
export const DEFAULT_SCALE = 1 / 50;

/** One key's bucket touched by a request, before the request goes. */
export interface Touch {
  partition: Partition;
  kind: CapacityKind;
}

/** What one partition key of one kind used, and how often it was refused. */
export interface PartitionUsage extends Touch {
  units: number;
  /** Requests refused because this key's bucket was below zero. */
  throttles: number;
  /** The most units the key consumed within one wall-clock second. */
  peakUnitsPerSecond: number;
  /** That peak as a share of the key's rate, in percent (over 100: a burst from the bucket). */
  peakPercentOfBudget: number;
}

interface Bucket {
  tokens: number;
  refilledAtMs: number;
}

interface Usage {
  units: number;
  throttles: number;
  second: number;
  unitsThisSecond: number;
  peakUnitsPerSecond: number;
}

const idOf = ({ partition, kind }: Touch): string => `${kind} ${partition}`;

/** Per-key token buckets and the usage record of each key. */
export class PartitionBudget {
  readonly writeUnitsPerSecond: number;
  readonly readUnitsPerSecond: number;
  readonly burstSeconds: number;
  private readonly nowMs: () => number;
  private readonly buckets = new Map<string, Bucket>();
  private usage = new Map<string, Usage & Touch>();

  constructor(options: BudgetOptions = {}) {
    this.writeUnitsPerSecond =
      options.writeUnitsPerSecond ?? AWS_WRITE_UNITS_PER_KEY * DEFAULT_SCALE;
    this.readUnitsPerSecond = options.readUnitsPerSecond ?? AWS_READ_UNITS_PER_KEY * DEFAULT_SCALE;
    this.burstSeconds = options.burstSeconds ?? 2;
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /** Units per second a key of `kind` is served. */
  rateOf(kind: CapacityKind): number {
    return kind === "write" ? this.writeUnitsPerSecond : this.readUnitsPerSecond;
  }

  /**
   * The keys among `touched` whose bucket is below zero now: the request must be refused when any
   * is. Each refused key counts one throttle. Nothing is taken from the buckets here.
   */
  refusedOf(touched: readonly Touch[]): Touch[] {
    const refused: Touch[] = [];
    const seen = new Set<string>();
    for (const touch of touched) {
      const id = idOf(touch);
      if (seen.has(id)) continue;
      seen.add(id);
      if (this.bucketOf(touch).tokens < 0) {
        refused.push(touch);
        this.usageOf(touch).throttles += 1;
      }
    }
    return refused;
  }

  /** Takes a request's estimated units from its keys' buckets as it goes; not yet recorded. */
  reserve(estimate: readonly Charge[]): void {
    for (const charge of estimate) this.bucketOf(charge).tokens -= charge.units;
  }

  /** Gives back what was reserved and takes, and records, what the request did consume. */
  settle(estimate: readonly Charge[], actual: readonly Charge[]): void {
    for (const charge of estimate) this.bucketOf(charge).tokens += charge.units;
    this.debit(actual);
  }

  /** Takes what a request consumed from its keys' buckets, and records it. */
  debit(charges: readonly Charge[]): void {
    const second = Math.floor(this.nowMs() / 1000);
    for (const charge of charges) {
      this.bucketOf(charge).tokens -= charge.units;
      const usage = this.usageOf(charge);
      usage.units += charge.units;
      if (usage.second !== second) {
        usage.second = second;
        usage.unitsThisSecond = 0;
      }
      usage.unitsThisSecond += charge.units;
      usage.peakUnitsPerSecond = Math.max(usage.peakUnitsPerSecond, usage.unitsThisSecond);
    }
  }

  /** Every key used or refused since the last `resetUsage`, in no particular order. */
  usages(): PartitionUsage[] {
    return [...this.usage.values()].map((usage) => ({
      partition: usage.partition,
      kind: usage.kind,
      units: usage.units,
      throttles: usage.throttles,
      peakUnitsPerSecond: usage.peakUnitsPerSecond,
      peakPercentOfBudget: (100 * usage.peakUnitsPerSecond) / this.rateOf(usage.kind),
    }));
  }

  /** Forgets the usage record; the buckets keep their levels. */
  resetUsage(): void {
    this.usage = new Map();
  }

  /** The bucket of a key, refilled up to now (a new key's bucket is full). */
  private bucketOf(touch: Touch): Bucket {
    const now = this.nowMs();
    const rate = this.rateOf(touch.kind);
    const capacity = rate * this.burstSeconds;
    const id = idOf(touch);
    const bucket = this.buckets.get(id);
    if (bucket === undefined) {
      const fresh = { tokens: capacity, refilledAtMs: now };
      this.buckets.set(id, fresh);
      return fresh;
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + (rate * (now - bucket.refilledAtMs)) / 1000);
    bucket.refilledAtMs = now;
    return bucket;
  }

  private usageOf(touch: Touch): Usage & Touch {
    const id = idOf(touch);
    let usage = this.usage.get(id);
    if (usage === undefined) {
      usage = {
        partition: touch.partition,
        kind: touch.kind,
        units: 0,
        throttles: 0,
        second: -1,
        unitsThisSecond: 0,
        peakUnitsPerSecond: 0,
      };
      this.usage.set(id, usage);
    }
    return usage;
  }
}
