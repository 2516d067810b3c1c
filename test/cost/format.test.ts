import { describe, expect, it } from 'vitest';
import { formatUsd } from '../../src/cost/format-usd.js';
import { formatUsd as formatEstimateUsd } from '../../src/cost/estimate-format.js';

describe('formatUsd', () => {
  it('prints costs under a cent with two significant digits, never $0.0000', () => {
    expect(formatUsd(0.000029)).toBe('$0.000029');
    expect(formatUsd(0.00012345)).toBe('$0.00012');
    expect(formatUsd(0.0012)).toBe('$0.0012');
    expect(formatUsd(0.001)).toBe('$0.0010');
    expect(formatUsd(0.0000000042)).toBe('$0.0000000042');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.5)).toBe('$0.50');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatEstimateUsd(0)).toBe('$0');
    expect(formatEstimateUsd(0.123)).toBe('$0.123');
    expect(formatEstimateUsd(0.000029)).toBe('$0.000029');
  });
});
