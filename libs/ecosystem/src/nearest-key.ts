/**
 * "Did you mean": the valid key nearest to an unknown one by edit distance (Levenshtein: one
 * insertion, deletion or substitution each), for the ecosystem file's error messages. Our own
 * choice: a key counts as near when at most a third of its letters (and at least 2) differ.
 */

/** The Levenshtein distance between `a` and `b`, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[t.length]!;
}

/** The valid key nearest to `key`, or undefined when none is near enough to be a typo of it. */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of valid) {
    const distance = editDistance(key, candidate);
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}
