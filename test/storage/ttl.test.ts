import { describe, expect, it } from 'vitest';
import { ttlMilliseconds } from '../../runtime/storage/ttl.js';

describe('ttlMilliseconds', () => {
  it.each([
    { given: 1, want: 1000 },
    { given: 1.5, want: 1500 },
    { given: 0.0001, want: 1 },
    { given: 400 * 24 * 3600, want: 400 * 24 * 3600 * 1000 },
  ])('turns $given s into $want ms, rounding up', ({ given, want }) => {
    expect(ttlMilliseconds(given)).toBe(want);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s, which would store a key that never expires or dies at once', (given) => {
    expect(() => ttlMilliseconds(given)).toThrow(new RangeError(`storage TTL must be a positive number of seconds, not ${given}`));
  });
});
