/**
 * `formatSpecErrors`: what `typed-sessions validate` prints, character for character.
 */
import { describe, expect, it } from 'vitest';
import { formatSpecErrors } from '../../generator/format-errors.js';
import type { SpecError } from '../../generator/spec-error.js';
import { loadSpecText } from '../../generator/spec.js';

const at = (line: number, col: number, message: string, file = 'sessions.yaml'): SpecError => ({ file, line, col, message });

describe('formatSpecErrors', () => {
  it('prints the position, the message, and a code frame with a caret under the column', () => {
    const source = [
      '# yaml-language-server: $schema=./generator/spec-schema.json',
      'version: 1',
      'keys:',
      '  main: { env: SESSION_KEYS }',
      'storages:',
      '  mem: { kind: memory }',
      'types:',
      '  Id: { type: string }',
      '',
      'sessions:',
      '  user:',
      '    transport: cokie',
      '    transform: [{ encrypt: main }]',
      '    schema: { type: object, additionalProperties: false }',
      '',
    ].join('\n');
    const result = loadSpecText(source, 'sessions.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatSpecErrors(result.errors, result.source)).toBe(
      [
        'sessions.yaml:12:16: sessions.user.transport must be "cookie" or "header" (got "cokie")',
        '  11 |   user:',
        '> 12 |     transport: cokie',
        '     |                ^',
        '',
        '1 error in sessions.yaml',
      ].join('\n'),
    );
  });

  it('sorts by line then column, drops duplicates, and counts in the plural', () => {
    const source = ['a: 1', '', 'c: 3', 'd: 4', 'e: 5', 'f: 6', 'g: 7', 'h: 8', 'i: 9', 'j: 10'].join('\n');
    const errors = [at(10, 4, 'tenth'), at(3, 4, 'third, later'), at(1, 1, 'first'), at(3, 1, 'third'), at(10, 4, 'tenth')];
    expect(formatSpecErrors(errors, source)).toBe(
      [
        'sessions.yaml:1:1: first',
        '> 1 | a: 1',
        '    | ^',
        '',
        'sessions.yaml:3:1: third',
        '  2 |',
        '> 3 | c: 3',
        '    | ^',
        '',
        'sessions.yaml:3:4: third, later',
        '  2 |',
        '> 3 | c: 3',
        '    |    ^',
        '',
        'sessions.yaml:10:4: tenth',
        '   9 | i: 9',
        '> 10 | j: 10',
        '     |    ^',
        '',
        '4 errors in sessions.yaml',
      ].join('\n'),
    );
  });

  it('keeps tabs before the caret so it lines up in any terminal', () => {
    expect(formatSpecErrors([at(1, 4, 'here')], 'a:\t\tb\n')).toBe(
      ['sessions.yaml:1:4: here', '> 1 | a:\t\tb', '    |   \t^', '', '1 error in sessions.yaml'].join('\n'),
    );
  });

  it('prints no frame when there is no source, as for a file that could not be read', () => {
    expect(formatSpecErrors([at(1, 1, 'cannot read the spec: no such file', 'missing.yaml')], '')).toBe(
      ['missing.yaml:1:1: cannot read the spec: no such file', '', '1 error in missing.yaml'].join('\n'),
    );
  });

  it('prints nothing for no errors', () => {
    expect(formatSpecErrors([], 'version: 1\n')).toBe('');
  });

  it('frames files with Windows line endings without the carriage returns', () => {
    expect(formatSpecErrors([at(2, 1, 'second')], 'a: 1\r\nb: 2\r\n')).toBe(
      ['sessions.yaml:2:1: second', '  1 | a: 1', '> 2 | b: 2', '    | ^', '', '1 error in sessions.yaml'].join('\n'),
    );
  });
});
