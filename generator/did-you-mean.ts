/**
 * "Did you mean" hints for misspelt names. Distance is optimal string alignment (Levenshtein plus adjacent
 * transpositions), so `trasnport` is one edit from `transport`, as a reader would count it.
 */

const MAX_DISTANCE = 2;

/**
 * The candidate closest to `input` within two edits (case-insensitive), or `undefined`.
 *
 * @example
 * closestName('trasport', ['transport', 'name']); // 'transport'
 */
export function closestName(input: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(input.toLowerCase(), name.toLowerCase());
    if (distance <= MAX_DISTANCE && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/**
 * `; did you mean "x"?` when a close candidate exists, else an empty string: ready to append to a message.
 *
 * @example
 * `unknown key "trasport"${didYouMean('trasport', keys)}`; // 'unknown key "trasport"; did you mean "transport"?'
 */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const name = closestName(input, candidates);
  return name === undefined ? '' : `; did you mean "${name}"?`;
}

function editDistance(a: string, b: string): number {
  // rows[i][j] = distance between a[0, i) and b[0, j)
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = distance;
    }
  }
  return at(a.length, b.length);
}
