/**
 * Stage 1: YAML text to plain data that remembers where each value was written. YAML syntax problems
 * become `SpecError`s like every other spec problem, so the user sees them in the same format.
 */
import { LineCounter, isAlias, isMap, isNode, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Pair, YAMLError } from 'yaml';
import type { SpecError } from './spec-error.js';
import type { SpecPath } from './spec-path.js';

/** Which part of a mapping entry an error points at: the value (default), or the key, for unknown keys. */
export type NodePart = 'value' | 'key';

/** A parsed spec: its plain data, and positions for any path in it. */
export interface SpecSource {
  /** The document as plain JSON-like data (YAML 1.2 core schema; aliases and `<<` merge keys expanded). */
  readonly data: unknown;
  /**
   * An error positioned at `path`. When the path is not in the YAML (a default, a missing key) the error
   * points at the nearest ancestor that is.
   *
   * @example
   * source.errorAt(['sessions', 'user', 'transport'], 'sessions.user.transport must be "cookie" or "header"');
   */
  errorAt(path: SpecPath, message: string, part?: NodePart): SpecError;
}

export type LoadYamlResult = { readonly ok: true; readonly source: SpecSource } | { readonly ok: false; readonly errors: SpecError[] };

/**
 * Parses one YAML document with positions. `file` is the display path errors carry, e.g. `sessions.yaml`.
 *
 * @example
 * const loaded = loadYaml('version: 1\n', 'sessions.yaml');
 * if (loaded.ok) loaded.source.data; // { version: 1 }
 */
export function loadYaml(text: string, file: string): LoadYamlResult {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are the YAML idiom for settings shared between sessions.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const errorAtOffset = (offset: number, message: string): SpecError => ({ file, ...lineCounter.linePos(offset), message });

  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    return { ok: false, errors: problems.map((problem) => errorAtOffset(problem.pos[0], describeYamlProblem(problem, document))) };
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    // Unresolvable or exploding aliases only surface when the document is turned into data.
    const offset = firstBrokenAliasOffset(document) ?? 0;
    return { ok: false, errors: [errorAtOffset(offset, `YAML: ${(error as Error).message}`)] };
  }
  return {
    ok: true,
    source: {
      data,
      errorAt: (path, message, part = 'value') => errorAtOffset(offsetOf(document, path, part), message),
    },
  };
}

function describeYamlProblem(problem: YAMLError, document: Document): string {
  const key = problem.code === 'DUPLICATE_KEY' ? keyStartingAt(document, problem.pos[0]) : undefined;
  return key === undefined
    ? `YAML syntax: ${problem.message}`
    : `duplicate key "${key}": each key may appear once in a mapping; merge the two entries or rename one`;
}

function keyStartingAt(document: Document, offset: number): string | undefined {
  let key: string | undefined;
  visit(document, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
      key = String(pair.key.value);
      return visit.BREAK;
    },
  });
  return key;
}

function firstBrokenAliasOffset(document: Document): number | undefined {
  let offset: number | undefined;
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) !== undefined) return undefined;
      offset = alias.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** Start offset of the node at `path`, walking maps by key and lists by index, through aliases. */
function offsetOf(document: Document, path: SpecPath, part: NodePart): number {
  let node: unknown = document.contents;
  // The mapping entry whose value is `node`, when `node` is a mapping value.
  let pair: Pair | undefined;
  let depth = 0;
  for (const segment of path) {
    const container = isAlias(node) ? node.resolve(document) : node;
    const item = isSeq(container) && typeof segment === 'number' ? container.items[segment] : undefined;
    const entry = isMap(container)
      ? container.items.find((candidate) => isScalar(candidate.key) && String(candidate.key.value) === String(segment))
      : undefined;
    if (entry !== undefined) {
      pair = entry;
      node = entry.value;
    } else if (item !== undefined) {
      pair = undefined;
      node = item;
    } else {
      break;
    }
    depth++;
  }
  if (part === 'key' && depth === path.length && pair !== undefined) return startOf(pair.key);
  // An empty value (`transport:`) has an empty range at the start of the next line; its key is where the eye goes.
  const isEmpty = isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
  return startOf(pair !== undefined && (isEmpty || !isNode(node)) ? pair.key : node);
}

function startOf(node: unknown): number {
  return isNode(node) ? (node.range?.[0] ?? 0) : 0;
}
