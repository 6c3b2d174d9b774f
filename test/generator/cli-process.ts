/**
 * What the CLI tests share: the repo's root, the source CLI run through tsx for the watch test's child
 * process (so it needs no build), and a small valid spec.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const repo = resolve(import.meta.dirname, '../..');

const tsxLoader = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;

/** Node's arguments for `typed-sessions ...args`. */
export function cliArgs(...args: string[]): string[] {
  return ['--conditions=source', '--import', tsxLoader, join(repo, 'generator/cli.ts'), ...args];
}

/** One signed session; `count` is on line 9, the transform on line 6. */
export const VALID_SPEC = `version: 1
keys:
  main: { env: SESSION_KEYS }
sessions:
  visit:
    transform: [{ sign: main }]
    schema:
      type: object
      properties: { count: { type: integer, minimum: 1 } }
      required: [count]
      additionalProperties: false
`;
