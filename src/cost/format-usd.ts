// One way to print dollars everywhere (estimate, run summary, runs, budget messages): amounts under a
// cent keep two significant digits ($0.000029, never $0.0000); larger ones show cents, or with
// `fine` a tenth of a cent under $10, so that estimates of cheap runs still differ.

export function formatUsd(value: number, fine = false): string {
  if (!Number.isFinite(value)) return `$${value}`;
  if (value === 0) return fine ? '$0' : '$0.00';
  const sign = value < 0 ? '-' : '';
  const amount = Math.abs(value);
  if (amount < 0.01) {
    // Digits after the point so that the first two significant digits show.
    const digits = Math.min(20, Math.ceil(-Math.log10(amount)) + 1);
    return `${sign}$${amount.toFixed(digits)}`;
  }
  return `${sign}$${amount.toFixed(fine && amount < 10 ? 3 : 2)}`;
}
