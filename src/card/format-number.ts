/** Numbers in cards: enough digits to compare runs, no float noise. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(4);
  return Number(value.toPrecision(6)).toString();
}

/** 1234567 → 1,234,567 */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}
