import { describe, expect, it } from "vitest";
import { compareInterleaved } from "../../../bench/measure.js";

describe("a benchmark's interleaved comparison", () => {
  it("reads the median of each round's ratio, so that the machine's drift cancels in a pair", async () => {
    // The machine doubles its speed between the two halves of the third round; the subject is
    // always 0.8 of the baseline at the same speed.
    const speeds = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2];
    let call = 0;
    const comparison = await compareInterleaved(6, async (which) => {
      const speed = speeds[call++] ?? Number.NaN;
      return which === "subject" ? 800 * speed : 1000 * speed;
    });
    expect(comparison.pairedRatios).toEqual([0.8, 0.8, 0.4, 0.8, 0.8, 0.8]);
    expect(comparison.ratio).toBeCloseTo(0.8, 10);
    // The ratio of the two medians mixes rounds of different speeds: 1,200 over 2,000.
    expect(comparison.subjectMedian / comparison.baselineMedian).toBeCloseTo(0.6, 10);
  });

  it("alternates which of the two runs first in a round", async () => {
    const order: string[] = [];
    await compareInterleaved(3, async (which) => {
      order.push(which);
      return 1;
    });
    expect(order).toEqual(["subject", "baseline", "baseline", "subject", "subject", "baseline"]);
  });
});
