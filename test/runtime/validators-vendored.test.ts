/**
 * typed-sessions/validators vendors what ajv's standalone code calls at run time (ajv's ucs2length and
 * equal, ajv-formats' function formats). Each must answer as the original does, and each format must keep
 * the original's shape, since generated code calls `formats.date.validate(...)` or `formats.uri(...)` as
 * ajv compiled it against ajv-formats.
 */
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equal, formats, ucs2length } from 'typed-sessions/validators';

// The CommonJS modules ajv's standalone code would require, loaded as it would load them.
const require = createRequire(import.meta.url);
const ajvUcs2length = (require('ajv/dist/runtime/ucs2length') as { default: (text: string) => number }).default;
const ajvEqual = (require('ajv/dist/runtime/equal') as { default: (a: unknown, b: unknown) => boolean }).default;

type FormatCheck = ((value: never) => boolean) | { readonly validate: (value: never) => boolean; readonly type?: string };

/** The formats of ajv-formats that generated code references rather than holding inline. */
const referenced = Object.entries(fullFormats).filter(([, format]) => format !== true && !(format instanceof RegExp));

const SAMPLES: readonly unknown[] = [
  '', 'a', '2024-02-29', '2023-02-29', '2000-02-29', '1900-02-29', '2024-12-31', '2024-00-10', '2024-01-32',
  '23:59:60Z', '23:59:60+01:00', '00:59:60+01:00', '12:34:56', '12:34:56.789z', '12:34:56+25:00', '24:00:00Z',
  '2024-01-01T12:00:00Z', '2024-01-01 12:00:00Z', '2024-01-01t12:00:00', '2024-01-01T12:00:00Z x',
  'https://example.com/a?b#c', 'urn:isbn:0451450523', 'relative/path', 'http://[::1]:80/', 'mailto:a@b',
  '^a+$', '(', 'a\\Z', '[', '\\d{2,}', 'aGk=', 'aGk', 'YQ==', 'a!', '====',
  0, 1, -1, 1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53, Number.MAX_VALUE,
];

function check(format: FormatCheck, value: unknown): boolean {
  return typeof format === 'function' ? format(value as never) : format.validate(value as never);
}

describe('typed-sessions/validators against ajv and ajv-formats', () => {
  it('provides every format generated code can reference, in the shape ajv compiled it against', () => {
    expect(Object.keys(formats).sort()).toEqual(referenced.map(([name]) => name).sort());
    for (const [name, original] of referenced) {
      const ours = formats[name as keyof typeof formats] as FormatCheck;
      expect(typeof ours, name).toBe(typeof original);
      if (typeof original === 'object') expect((ours as { type?: string }).type, name).toBe((original as { type?: string }).type);
    }
  });

  it.each(referenced)('format %s answers as ajv-formats does', (name, original) => {
    const ours = formats[name as keyof typeof formats] as FormatCheck;
    const wanted = (original as FormatCheck & { type?: string }).type ?? 'string';
    for (const value of SAMPLES.filter((sample) => typeof sample === wanted)) {
      expect(check(ours, value), `${name}(${JSON.stringify(value)})`).toBe(check(original as FormatCheck, value));
    }
  });

  it('ucs2length counts as ajv does, on any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => ucs2length(text) === ajvUcs2length(text)));
    expect(ucs2length('a\u{1F600}\ud800')).toBe(3);
  });

  it('equal compares as ajv does (fast-deep-equal) on any JSON values, and answers where it throws', () => {
    const json = fc.jsonValue();
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(equal(a, structuredClone(a))).toBe(true);
        let wanted: boolean | undefined;
        try {
          wanted = ajvEqual(a, b);
        } catch (error) {
          // fast-deep-equal calls a `valueOf` or `toString` key as a method: JSON data can make it throw.
          expect(error).toBeInstanceOf(TypeError);
        }
        expect(equal(a, b)).toBe(wanted ?? isDeepStrictEqual(a, b));
      }),
    );
    expect(() => ajvEqual({ valueOf: 1 }, { a: 1 })).toThrow(TypeError);
    expect(equal({ valueOf: 1 }, { a: 1 })).toBe(false);
    expect(equal({ toString: null }, { toString: null })).toBe(true);
    expect(equal(new Date(0), new Date(0))).toBe(true);
  });
});
