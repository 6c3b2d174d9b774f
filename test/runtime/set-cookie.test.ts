/** `renderSetCookie` keeps the lifetime text of the last second and lifetime; whatever the sequence, every line is exact. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSetCookie, renderSetCookie } from '../../runtime/transport/set-cookie.js';

const template = compileSetCookie('sid', { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax' });

/** The line as the format defines it, formatted afresh. */
function expected(maxAge: number | undefined, now: number, secure: boolean): string {
  const lifetime = maxAge === undefined ? '' : `; Max-Age=${maxAge}; Expires=${new Date(maxAge === 0 ? 0 : now + maxAge * 1000).toUTCString()}`;
  return `sid=v; Path=/${lifetime}${secure ? '; Secure' : ''}; HttpOnly; SameSite=Lax`;
}

describe('renderSetCookie', () => {
  it('renders the documented line', () => {
    expect(renderSetCookie(template, 'abc', 3600, true, Date.UTC(2025, 0, 1))).toBe(
      'sid=abc; Path=/; Max-Age=3600; Expires=Wed, 01 Jan 2025 01:00:00 GMT; Secure; HttpOnly; SameSite=Lax',
    );
    expect(renderSetCookie(template, '', 0, false, Date.UTC(2025, 0, 1))).toBe('sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax');
  });

  it('a lifetime ending at the same second as the previous line still says its own Max-Age', () => {
    const now = Date.UTC(2026, 11, 2);
    expect(renderSetCookie(template, 'v', 60, false, now)).toBe(expected(60, now, false));
    expect(renderSetCookie(template, 'v', 59, false, now + 1000)).toBe(expected(59, now + 1000, false));
  });

  it('gives the exact Expires for any sequence of times and lifetimes, the same second repeated included', () => {
    const base = Date.UTC(2026, 11, 2);
    const render = fc.record({
      // Times within a few seconds of one another, so consecutive renders often share a second.
      now: fc.integer({ min: 0, max: 4000 }).map((offset) => base + offset),
      maxAge: fc.oneof(fc.constant(undefined), fc.constant(0), fc.constantFrom(1, 60, 86_400), fc.integer({ min: 1, max: 400 * 86_400 })),
      secure: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(render, { minLength: 1, maxLength: 30 }), (renders) => {
        for (const { now, maxAge, secure } of renders) expect(renderSetCookie(template, 'v', maxAge, secure, now)).toBe(expected(maxAge, now, secure));
      }),
    );
  });
});
