/**
 * Where a value sits in the spec: the keys and list indexes from the document root, as ajv's
 * `instancePath` and the semantic rules see it. Printed the way a user reads YAML: `sessions.user.transport`.
 */
export type SpecPath = readonly (string | number)[];

const PLAIN_KEY = /^[\w$-]+$/;

/**
 * @example
 * formatSpecPath(['sessions', 'user', 'transform', 0, 'encrypt']); // 'sessions.user.transform[0].encrypt'
 * formatSpecPath([]); // 'the spec'
 */
export function formatSpecPath(path: SpecPath): string {
  if (path.length === 0) return 'the spec';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!PLAIN_KEY.test(segment)) return `[${JSON.stringify(segment)}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}

/**
 * Turns an RFC 6901 JSON Pointer (ajv's `instancePath`) into a path over `root`: a segment that indexes
 * a list becomes a number, so it prints as `[0]` and finds the list item in the YAML.
 *
 * @example
 * pathFromPointer('/sessions/a~1b/transform/0', spec); // ['sessions', 'a/b', 'transform', 0]
 */
export function pathFromPointer(pointer: string, root: unknown): SpecPath {
  if (pointer === '') return [];
  let value = root;
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      const segment = Array.isArray(value) ? Number(key) : key;
      value = value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
      return segment;
    });
}
