/**
 * Random bytes cut from a pool (runtime/random-pool.ts), as AES-GCM nonces and Redis entry versions take them:
 * every slice fresh, none shared with another, none changed after it was handed out.
 */
import { describe, expect, it } from 'vitest';
import { freshRandomBytes } from '../../runtime/random-pool.js';

describe('freshRandomBytes', () => {
  it('hands out slices of the size asked, across many pools, no two the same and none changed later', () => {
    const slices = Array.from({ length: 5000 }, () => freshRandomBytes(12));
    const copies = slices.map((slice) => Buffer.from(slice));
    for (let index = 0; index < 2000; index += 1) freshRandomBytes(12);
    expect(slices.every((slice) => slice.length === 12)).toBe(true);
    expect(new Set(slices.map((slice) => slice.toString('hex'))).size).toBe(5000);
    expect(slices.every((slice, index) => slice.equals(copies[index]!))).toBe(true);
  });

  it('never hands out the same bytes twice: the slices of one pool do not overlap', () => {
    const slices = Array.from({ length: 300 }, () => freshRandomBytes(12));
    for (let a = 0; a < slices.length; a += 1) {
      for (let b = a + 1; b < slices.length; b += 1) {
        const [x, y] = [slices[a]!, slices[b]!];
        if (x.buffer !== y.buffer) continue;
        expect(x.byteOffset + x.length <= y.byteOffset || y.byteOffset + y.length <= x.byteOffset, `${a} and ${b}`).toBe(true);
      }
    }
  });

  it('serves a size larger than a pool', () => {
    expect(freshRandomBytes(10_000)).toHaveLength(10_000);
    expect(freshRandomBytes(12)).toHaveLength(12);
  });
});
