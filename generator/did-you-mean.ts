/**
 * "Did you mean" hints for misspelt names. Distance is optimal string alignment (Levenshtein plus adjacent
 * transpositions), so `trasnport` is one edit from `transport`, as a reader would count it.
 */

const MAX_DISTANCE = 2;

/**
 * The candidate closest to `input` (case-insensitive) within two edits and within a third of the longer
 * name's length, so that short names do not "match" anything (`q` is not a typo of `p`), or `undefined`.
 *
 * @example
 * closestName('trasport', ['transport', 'name']); // 'transport'
 */
function closestName(input: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(input.toLowerCase(), name.toLowerCase());
    const limit = Math.min(MAX_DISTANCE, Math.floor(Math.max(input.length, name.length) / 3));
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
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
  // Row by row over `a`, keeping the previous two rows (a transposition looks two rows back).
  let twoBack: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      const transposed = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      if (transposed) distance = Math.min(distance, (twoBack[j - 2] ?? 0) + 1);
      current.push(distance);
    }
    [twoBack, previous] = [previous, current];
  }
  return previous[b.length] ?? 0;
}
