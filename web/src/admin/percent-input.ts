// Tax rates are parts per million in the API (19 % is 190000) and percentages on the page.

const PPM_PER_PERCENT = 10_000;

/** "19", "9.975" or "6,625" as parts per million; null when it is not 0 to 100 %. */
export function ppmOf(text: string): number | null {
  const match = /^\s*(\d{1,3})(?:[.,](\d{1,4}))?\s*%?\s*$/.exec(text);
  if (match === null) return null;
  const ppm = Number(match[1]) * PPM_PER_PERCENT + Number((match[2] ?? "0").padEnd(4, "0"));
  return ppm <= 100 * PPM_PER_PERCENT ? ppm : null;
}

/** Parts per million as the percentage an operator types: 99750 → "9.975". */
export function percentOf(ppm: number): string {
  const whole = Math.floor(ppm / PPM_PER_PERCENT);
  const fraction = String(ppm % PPM_PER_PERCENT)
    .padStart(4, "0")
    .replace(/0+$/, "");
  return fraction === "" ? String(whole) : `${whole}.${fraction}`;
}
