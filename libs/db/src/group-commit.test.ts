/**
 * GroupCommitQueue: batches per turn of the event loop, one batch in flight, callers settled only
 * after their batch's write, merge per key, one-by-one retry of a failed batch. The last test
 * writes through a real database (SQLite, or PostgreSQL with MCX_TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitQueue } from './group-commit.ts';
import { executeStatements, insertRows } from './raw-rows.ts';
import { openTestDatabase } from './testing.ts';
import type { Database } from './index.ts';

/** A write function that records its batches and waits for `release()` before it resolves. */
function gatedWriter<Op>(fail: (ops: readonly Op[]) => unknown = () => undefined) {
  const batches: Op[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const gates: (() => void)[] = [];
  const write = async (ops: readonly Op[]): Promise<void> => {
    batches.push([...ops]);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((r) => gates.push(r));
    inFlight--;
    const err = fail(ops);
    if (err) throw err;
  };
  const release = () => gates.splice(0).forEach((r) => r());
  return { batches, write, release, get maxInFlight() { return maxInFlight; } };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Settles `p` and records how: 'pending' until it does. */
function watch(p: Promise<void>) {
  const s = { state: 'pending' as 'pending' | 'resolved' | 'rejected', err: undefined as unknown };
  p.then(
    () => (s.state = 'resolved'),
    (err: unknown) => ((s.state = 'rejected'), (s.err = err)),
  );
  return s;
}

describe('GroupCommitQueue', () => {
  it('writes what is enqueued in one turn as one batch, in order, and settles callers only after the write', async () => {
    const w = gatedWriter<string>();
    const q = new GroupCommitQueue<string>({ write: w.write });
    const a = watch(q.enqueue('a'));
    const b = watch(q.enqueue('b'));
    const c = watch(q.enqueue('c'));
    expect(q.pending).toBe(3);
    await turn();
    expect(w.batches).toEqual([['a', 'b', 'c']]);
    await turn();
    expect([a.state, b.state, c.state]).toEqual(['pending', 'pending', 'pending']);
    w.release();
    await q.flush();
    expect([a.state, b.state, c.state]).toEqual(['resolved', 'resolved', 'resolved']);
  });

  it('holds what arrives during a write for the next batch: one batch in flight, batches in call order', async () => {
    const w = gatedWriter<number>();
    const q = new GroupCommitQueue<number>({ write: w.write });
    const first = watch(q.enqueue(1));
    await turn();
    const later = [2, 3, 4].map((n) => watch(q.enqueue(n)));
    await turn();
    expect(w.batches).toEqual([[1]]);
    w.release();
    await turn();
    expect(first.state).toBe('resolved');
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    expect(later.map((s) => s.state)).toEqual(['pending', 'pending', 'pending']);
    w.release();
    await q.flush();
    expect(later.map((s) => s.state)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(w.maxInFlight).toBe(1);
  });

  it('merges a keyed operation into the pending one of its key, which keeps its place; unkeyed ones never merge', async () => {
    const w = gatedWriter<string>();
    const q = new GroupCommitQueue<string>({ write: w.write, merge: (prev, next) => `${prev}+${next}` });
    const settled = [q.enqueue('x1', 'x'), q.enqueue('y1', 'y'), q.enqueue('x2', 'x'), q.enqueue('z'), q.enqueue('z')].map(watch);
    await turn();
    expect(w.batches).toEqual([['x1+x2', 'y1', 'z', 'z']]);
    w.release();
    await q.flush();
    expect(settled.every((s) => s.state === 'resolved')).toBe(true);
    // A key written already starts afresh in the next batch.
    const again = q.enqueue('x3', 'x');
    await turn();
    w.release();
    await again;
    expect(w.batches[1]).toEqual(['x3']);
  });

  it('retries a failed batch one operation at a time, so only the bad operation rejects its callers', async () => {
    const writes: string[][] = [];
    const q = new GroupCommitQueue<string>({
      write: async (ops) => {
        writes.push([...ops]);
        if (ops.includes('bad')) throw new Error('constraint failed');
      },
    });
    const settled = ['a', 'bad', 'c'].map((op) => watch(q.enqueue(op)));
    await q.flush();
    expect(writes).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    expect(settled.map((s) => s.state)).toEqual(['resolved', 'rejected', 'resolved']);
    expect((settled[1]!.err as Error).message).toBe('constraint failed');
  });

  it('rejects every caller of the batch at once when the database is unavailable, and writes again later', async () => {
    let down = true;
    const writes: string[][] = [];
    const q = new GroupCommitQueue<string>({
      write: async (ops) => {
        writes.push([...ops]);
        if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
    });
    const settled = ['a', 'b'].map((op) => watch(q.enqueue(op)));
    await q.flush();
    expect(writes).toEqual([['a', 'b']]);
    expect(settled.map((s) => s.state)).toEqual(['rejected', 'rejected']);
    down = false;
    await q.enqueue('c');
    expect(writes).toEqual([['a', 'b'], ['c']]);
  });

  it('flush waits for queued and in-flight batches and never rejects', async () => {
    const w = gatedWriter<string>(() => new Error('refused'));
    const q = new GroupCommitQueue<string>({ write: w.write });
    const a = watch(q.enqueue('a'));
    const flushed = watch(q.flush());
    await turn();
    expect(flushed.state).toBe('pending');
    w.release();
    await q.flush();
    await turn();
    expect([a.state, flushed.state]).toEqual(['rejected', 'resolved']);
  });

  it('keeps scheduling after a flush took the batch before its scheduled drain ran (the drain finds nothing)', async () => {
    const written: string[][] = [];
    const q = new GroupCommitQueue<string>({ write: async (ops) => void written.push([...ops]) });
    const a = q.enqueue('a');
    await q.flush(); // writes ['a'] before the setImmediate scheduled by the enqueue fires
    await a;
    await turn(); // that drain runs now, with nothing pending
    const b = watch(q.enqueue('b'));
    await turn();
    await turn();
    expect(b.state).toBe('resolved');
    expect(written).toEqual([['a'], ['b']]);
  });
});

describe('GroupCommitQueue writing raw rows through a real database', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('commits a turn of inserts in one statement; a duplicate id fails only its own caller', async () => {
    const columns = ['id', 'server', 'kind', 'payload'];
    const q = new GroupCommitQueue<string>({
      write: async (ids) => {
        await executeStatements(db.prisma, insertRows(db.provider, 'OidcPayload', columns, ids.map((id) => [id, 'gc', 'K', '{}'])));
      },
    });
    await q.enqueue('K:exists');
    const settled = ['K:1', 'K:exists', 'K:2'].map((id) => watch(q.enqueue(id)));
    await q.flush();
    expect(settled.map((s) => s.state)).toEqual(['resolved', 'rejected', 'resolved']);
    const rows = await db.prisma.oidcPayload.findMany({ where: { server: 'gc' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.id)).toEqual(['K:1', 'K:2', 'K:exists']);
  });
});
