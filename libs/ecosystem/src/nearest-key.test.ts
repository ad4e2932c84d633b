import { describe, expect, it } from 'vitest';
import { editDistance, nearestKey } from './nearest-key.ts';

describe('nearest valid key', () => {
  it('counts insertions, deletions and substitutions, ignoring case', () => {
    expect([editDistance('uez', 'ues'), editDistance('plmn', 'plmns'), editDistance('mcs_sip', 'mcsSip'), editDistance('kitten', 'sitting')]).toEqual([1, 1, 1, 3]);
  });

  it('names the nearest key only when it is near enough to be a typo', () => {
    const keys = ['dataDir', 'console', 'ueHost', 'systems', 'users', 'groups', 'ues'];
    expect([nearestKey('uez', keys), nearestKey('sytems', keys), nearestKey('group', keys), nearestKey('colour', keys)]).toEqual(['ues', 'systems', 'groups', undefined]);
  });
});
