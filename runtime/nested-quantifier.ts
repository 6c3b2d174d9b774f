/**
 * Finds the classic catastrophic-backtracking shape in a JSON Schema `pattern` (security.md #34): a group
 * repeated without bound whose body can itself repeat without bound and has nothing it must match on
 * every pass, such as `(a+)+`, `(\w+\s?)*` or `(?:x+|y)+`. A backtracking engine (V8's, which ajv uses)
 * needs exponential time to reject a near-miss for those. `gen` refuses such patterns before it compiles a
 * validator, so none reaches request handling. It stays among the runtime's shared rules, which the
 * generator imports; the runtime itself no longer calls it.
 *
 * It is a check for the obvious cases, not a proof of safety: a required atom that overlaps the
 * repeated one (`(a+a)+`) or overlapping alternatives (`(a|a)+`) pass. Bounding strings with
 * `maxLength` bounds the work of any pattern.
 */

/** One alternative of a group so far: whether it repeats something without bound, and whether it has a separator. */
interface Alternative {
  unbounded: boolean;
  required: boolean;
}

interface Group {
  /** Index of the `(` in the source; -1 for the whole pattern. */
  readonly open: number;
  current: Alternative;
  /** Some alternative repeats without bound and requires nothing: repeating the group is ambiguous. */
  ambiguous: boolean;
  /** Every alternative so far has a separator: an atom it must match exactly once or a fixed number of times. */
  allRequired: boolean;
  /** Some alternative so far repeats something without bound. */
  everUnbounded: boolean;
}

interface Quantifier {
  readonly length: number;
  readonly unbounded: boolean;
  /** `?`, `*`, `{0,n}`: the atom may match nothing. */
  readonly optional: boolean;
}

const ZERO_WIDTH_ESCAPES = new Set(['b', 'B']);

/**
 * The offending part of `source`, or `undefined` when the pattern has no nested unbounded repetition.
 *
 * @example
 * findNestedQuantifier('^(a+)+$');          // '(a+)+'
 * findNestedQuantifier('^[a-z]+(\\.[a-z]+)*$'); // undefined: each pass must match a "."
 */
export function findNestedQuantifier(source: string): string | undefined {
  const stack: Group[] = [newGroup(-1)];
  let index = 0;
  while (index < source.length) {
    const char = source[index]!;
    const group = stack[stack.length - 1]!;
    if (char === '(') {
      stack.push(newGroup(index));
      index += source.startsWith('(?', index) ? groupPrefixLength(source, index) : 1;
      continue;
    }
    if (char === '|') {
      closeAlternative(group);
      index += 1;
      continue;
    }
    const start = index;
    if (char === ')' && stack.length > 1) {
      const closed = stack.pop()!;
      closeAlternative(closed);
      index += 1;
      const quantifier = readQuantifier(source, index);
      if (quantifier?.unbounded === true && closed.ambiguous) return source.slice(closed.open, index + quantifier.length);
      applyAtom(stack[stack.length - 1]!, { unbounded: closed.ambiguous || closed.everUnbounded, required: closed.allRequired }, quantifier);
      index += quantifier?.length ?? 0;
      continue;
    }
    if (char === '\\') {
      index += 2;
      if (ZERO_WIDTH_ESCAPES.has(source[start + 1] ?? '')) continue;
    } else if (char === '[') {
      index = endOfClass(source, index);
    } else if (char === '^' || char === '$' || char === '*' || char === '+' || char === '?' || char === '{') {
      // Anchors consume nothing; a quantifier with no atom before it is a syntax error the compiler reports.
      index += 1;
      continue;
    } else {
      index += 1;
    }
    const quantifier = readQuantifier(source, index);
    applyAtom(group, { unbounded: false, required: true }, quantifier);
    index += quantifier?.length ?? 0;
  }
  return undefined;
}

function newGroup(open: number): Group {
  return { open, current: { unbounded: false, required: false }, ambiguous: false, allRequired: true, everUnbounded: false };
}

function closeAlternative(group: Group): void {
  if (group.current.unbounded && !group.current.required) group.ambiguous = true;
  if (!group.current.required) group.allRequired = false;
  if (group.current.unbounded) group.everUnbounded = true;
  group.current = { unbounded: false, required: false };
}

/** A separator is an atom that cannot repeat without bound and must match: it pins where each pass ends. */
function applyAtom(group: Group, atom: { unbounded: boolean; required: boolean }, quantifier: Quantifier | undefined): void {
  const unbounded = atom.unbounded || quantifier?.unbounded === true;
  if (unbounded) group.current.unbounded = true;
  else if (atom.required && quantifier?.optional !== true) group.current.required = true;
}

/** `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`: the characters before the group's body. */
function groupPrefixLength(source: string, open: number): number {
  if (source.startsWith('(?<', open) && !source.startsWith('(?<=', open) && !source.startsWith('(?<!', open)) {
    const close = source.indexOf('>', open);
    return close === -1 ? 3 : close - open + 1;
  }
  return source.startsWith('(?<', open) ? 4 : 3;
}

/** The index just after the `]` closing the class opened at `open`. */
function endOfClass(source: string, open: number): number {
  let index = open + 1;
  while (index < source.length && source[index] !== ']') index += source[index] === '\\' ? 2 : 1;
  return index + 1;
}

const BRACES = /^\{(\d+)(,(\d*))?\}\??/;

function readQuantifier(source: string, at: number): Quantifier | undefined {
  const char = source[at];
  const lazy = source[at + 1] === '?' ? 1 : 0;
  if (char === '*') return { length: 1 + lazy, unbounded: true, optional: true };
  if (char === '+') return { length: 1 + lazy, unbounded: true, optional: false };
  if (char === '?') return { length: 1 + lazy, unbounded: false, optional: true };
  if (char !== '{') return undefined;
  const braces = BRACES.exec(source.slice(at, at + 24));
  if (braces === null) return undefined;
  const min = Number(braces[1]);
  return { length: braces[0].length, unbounded: braces[2] !== undefined && braces[3] === '', optional: min === 0 };
}
