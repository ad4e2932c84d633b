import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff.ts';

describe('line diff of two versions', () => {
  it('marks a changed line as removed then added, keeps the rest, with line numbers', () => {
    const v1 = '<p>\n  <ProfileName>home</ProfileName>\n  <Status>true</Status>\n</p>';
    const v2 = '<p>\n  <ProfileName>edited</ProfileName>\n  <Status>true</Status>\n  <Extra/>\n</p>';
    expect(lineDiff(v1, v2)).toEqual([
      { op: ' ', text: '<p>', a: 1, b: 1 },
      { op: '-', text: '  <ProfileName>home</ProfileName>', a: 2 },
      { op: '+', text: '  <ProfileName>edited</ProfileName>', b: 2 },
      { op: ' ', text: '  <Status>true</Status>', a: 3, b: 3 },
      { op: '+', text: '  <Extra/>', b: 4 },
      { op: ' ', text: '</p>', a: 4, b: 5 },
    ]);
  });

  it('has nothing but kept lines for equal texts, and only removals for an emptied one', () => {
    expect(lineDiff('a\nb', 'a\nb').every((l) => l.op === ' ')).toBe(true);
    expect(lineDiff('a\nb', '').map((l) => l.op)).toEqual(['-', '-', '+']);
  });
});
