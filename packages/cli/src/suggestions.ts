/**
 * "Did you mean …?" for typos in commands, options, preset ids, scope-set names and tenant
 * keywords: the closest known word by edit distance, never by a shared prefix (`access` is not a
 * typo of `accounts`).
 *
 * @module
 */

/** The largest edit distance that still counts as a typo. */
export const MAX_TYPO_DISTANCE = 2;

/**
 * The optimal-string-alignment distance between `a` and `b`: insertions, deletions,
 * substitutions and swaps of two neighbouring characters each count 1 (`shwo` → `show` is 1).
 * Case-insensitive.
 *
 * @example
 * ```ts
 * editDistance('acounts', 'accounts'); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const x = [...a.toLowerCase()];
  const y = [...b.toLowerCase()];
  // rows[i][j]: the distance between the first i characters of x and the first j of y.
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (rows[x.length] as number[])[y.length] as number;
}

/**
 * The candidate closest to `word` within {@link MAX_TYPO_DISTANCE} edits (and fewer edits than
 * `word` has characters, so `ab` suggests nothing), the first of equally close ones;
 * `undefined` when none is, or when `word` is itself a candidate.
 *
 * @example
 * ```ts
 * closestWord('prsets', ['presets', 'token']); // 'presets'
 * closestWord('access', ['accounts']); // undefined
 * ```
 */
export function closestWord(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word) return undefined;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance && distance <= MAX_TYPO_DISTANCE && distance < [...word].length) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * ` (did you mean "<word>"?)` for the closest candidate, or the empty string: for appending to a
 * message.
 *
 * @example
 * ```ts
 * `unknown command "shwo"${didYouMean('shwo', commands)}`; // 'unknown command "shwo" (did you mean "show"?)'
 * ```
 */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestWord(word, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
