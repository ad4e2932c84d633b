/**
 * A line diff of two texts (the console's diff of two versions of a document): the longest common
 * subsequence of lines, as a unified list of kept, removed and added lines. Quadratic in the line
 * counts, which is fine for documents of a few hundred lines (our choice: no diff library).
 */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
  /** Line number in the old text (kept and removed lines). */
  a?: number;
  /** Line number in the new text (kept and added lines). */
  b?: number;
}

export function lineDiff(oldText: string, newText: string): DiffLine[] {
  const a = oldText.split(/\r?\n/);
  const b = newText.split(/\r?\n/);
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i]!, a: i + 1, b: j + 1 });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: '-', text: a[i]!, a: ++i });
    else out.push({ op: '+', text: b[j]!, b: ++j });
  }
  while (i < a.length) out.push({ op: '-', text: a[i]!, a: ++i });
  while (j < b.length) out.push({ op: '+', text: b[j]!, b: ++j });
  return out;
}
