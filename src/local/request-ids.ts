import { Buffer } from "node:buffer";
import { randomFillSync } from "node:crypto";

/** Ids formatted together: one random fill and one string per this many requests. */
const BATCH = 128;
const UUID_LENGTH = 36;
const DIGITS = Buffer.from("0123456789abcdef", "latin1");
/** A byte's two hex digits as character codes, looked up instead of shifted and masked. */
const HIGH = Uint8Array.from({ length: 256 }, (_, byte) => DIGITS[byte >> 4] as number);
const LOW = Uint8Array.from({ length: 256 }, (_, byte) => DIGITS[byte & 0x0f] as number);
const DASH = 0x2d;

/**
 * A source of request ids as API Gateway gives them: random (version 4) UUIDs, as
 * `crypto.randomUUID()` makes them. That function builds each id from 20 string additions, a
 * measurable share of a request to the dev server (BENCHMARKS.md); here 128 ids are formatted
 * at once into one string, and each id is a slice of it.
 */
export function createRequestIds(): () => string {
  const random = Buffer.alloc(16 * BATCH);
  const text = Buffer.alloc(UUID_LENGTH * BATCH);
  let batch = "";
  let next = BATCH;

  function refill(): void {
    randomFillSync(random);
    for (let id = 0; id < BATCH; id++) {
      const from = id * 16;
      // RFC 9562: the version (4) in the high nibble of byte 6, the variant (10) in byte 8.
      random[from + 6] = ((random[from + 6] as number) & 0x0f) | 0x40;
      random[from + 8] = ((random[from + 8] as number) & 0x3f) | 0x80;
      let at = id * UUID_LENGTH;
      for (let i = 0; i < 16; i++) {
        // 8-4-4-4-12 hex digits: a dash before bytes 4, 6, 8 and 10.
        if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = DASH;
        const byte = random[from + i] as number;
        text[at++] = HIGH[byte] as number;
        text[at++] = LOW[byte] as number;
      }
    }
    batch = text.toString("latin1");
    next = 0;
  }

  return () => {
    if (next === BATCH) refill();
    const start = next++ * UUID_LENGTH;
    return batch.slice(start, start + UUID_LENGTH);
  };
}
