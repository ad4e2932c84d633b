// The UE host's copy log (copy-log.ts) on a real file: batches, the index read at open, a record cut
// short at the end, removals, and compaction keeping exactly the live records.
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CopyLog } from './copy-log.ts';

const key = (n: number) => Buffer.alloc(16, n);
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcx-copy-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CopyLog', () => {
  it('writes what one turn queues in one batch, in order, and reads the latest payload of each key', async () => {
    const log = new CopyLog(dir);
    await Promise.all([log.put(key(1), key(1), Buffer.from('a1')), log.put(key(1), key(2), Buffer.from('b1')), log.put(key(1), key(1), Buffer.from('a2'))]);
    expect(log.get(key(1), key(1))?.toString()).toBe('a2');
    expect(log.get(key(1), key(2))?.toString()).toBe('b1');
    expect(log.count(key(1))).toBe(2);
    await log.delete(key(1), key(2));
    expect(log.get(key(1), key(2))).toBeUndefined();
    await log.put(key(2), key(1), Buffer.from('other UE'));
    await log.drop(key(1));
    expect(log.count(key(1))).toBe(0);
    expect(log.get(key(2), key(1))?.toString()).toBe('other UE');
    await log.close();
    // Opened again: the same view.
    const again = new CopyLog(dir);
    expect(again.count(key(1))).toBe(0);
    expect(again.get(key(2), key(1))?.toString()).toBe('other UE');
    await again.close();
  });

  it('drops a record cut short at the end (a crash during a write) and appends after the last whole one', async () => {
    const log = new CopyLog(dir);
    await log.put(key(1), key(1), Buffer.from('whole'));
    await log.close();
    const whole = statSync(join(dir, 'copies.log')).size;
    appendFileSync(join(dir, 'copies.log'), Buffer.from([0, 0, 0, 200, 1, 2, 3])); // a length promising more than follows
    const again = new CopyLog(dir);
    expect(statSync(join(dir, 'copies.log')).size).toBe(whole);
    expect(again.get(key(1), key(1))?.toString()).toBe('whole');
    await again.put(key(1), key(2), Buffer.from('next'));
    await again.close();
    const third = new CopyLog(dir);
    expect([third.get(key(1), key(1))?.toString(), third.get(key(1), key(2))?.toString()]).toEqual(['whole', 'next']);
    await third.close();
  });

  it('compaction keeps exactly the live records and the file shrinks to them', async () => {
    const log = new CopyLog(dir);
    for (let v = 0; v < 20; v++) await Promise.all([1, 2, 3].map((d) => log.put(key(7), key(d), Buffer.from(`doc ${d} version ${v}`))));
    await log.delete(key(7), key(3));
    const before = log.stats;
    expect(before.dead).toBeGreaterThan(before.size / 2);
    log.compact();
    expect(log.stats.dead).toBe(0);
    expect(log.stats.size).toBeLessThan(before.size / 5);
    expect([log.get(key(7), key(1))?.toString(), log.get(key(7), key(2))?.toString(), log.get(key(7), key(3))]).toEqual(['doc 1 version 19', 'doc 2 version 19', undefined]);
    await log.put(key(7), key(1), Buffer.from('after compaction'));
    await log.close();
    const again = new CopyLog(dir);
    expect([again.get(key(7), key(1))?.toString(), again.get(key(7), key(2))?.toString(), again.count(key(7))]).toEqual(['after compaction', 'doc 2 version 19', 2]);
    await again.close();
  });
});
