/** A count's share of the total, never shown as 0.0% when the count is not zero: `<0.1%`. */
export function formatShare(count: number, total: number): string {
  if (total === 0 || count === 0) return "0.0%";
  const pct = (count / total) * 100;
  if (pct < 0.1) return "<0.1%";
  if (count < total && pct >= 99.95) return ">99.9%";
  return `${pct.toFixed(1)}%`;
}
