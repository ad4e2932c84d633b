/**
 * The SQLite writer thread (sqlite-writer.ts) on real database files: a batch commits all or
 * nothing, a commit is visible to the Prisma connection once its promise resolved, a Prisma
 * transaction and a batch take turns, and what was acknowledged survives a SIGKILL of the process.
 * SQLite only (on PostgreSQL there is no writer thread): vitest.config.ts leaves this file out of `npm run test:postgres`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommitQueue } from './group-commit.ts';
import { isConflict, openDatabase, type Database } from './index.ts';
import { isDatabaseUnavailable } from './unavailable.ts';
import { executeStatements, insertRows, updateWhereIn } from './raw-rows.ts';
import { SqliteWriteError, writerOf } from './sqlite-writer.ts';

const COLUMNS = ['id', 'server', 'kind', 'payload'];
const rows = (ids: readonly string[], payload = '{}') => ids.map((id) => [id, 'w', 'W', payload]);

describe('the SQLite writer thread', () => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcx-writer-'));
    db = await openDatabase({ dataDir: dir, name: 'writer' });
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the raw statements of a SQLite database, and the Prisma connection reads them once the promise resolved', async () => {
    expect(writerOf(db.prisma)).toBeDefined();
    const at = new Date('2026-11-30T23:00:00.250Z');
    const counts = await executeStatements(db.prisma, [
      ...insertRows('sqlite', 'OidcPayload', COLUMNS, rows(['R:1', 'R:2', 'R:3'])),
      ...updateWhereIn('sqlite', 'OidcPayload', { consumedAt: at }, 'id', ['R:2', 'R:3', 'R:none']),
    ]);
    expect(counts).toEqual([3, 2]);
    const read = await db.prisma.oidcPayload.findMany({ where: { kind: 'W', id: { startsWith: 'R:' } }, orderBy: { id: 'asc' } });
    expect(read.map((r) => [r.id, r.consumedAt?.toISOString() ?? null])).toEqual([
      ['R:1', null],
      ['R:2', at.toISOString()],
      ['R:3', at.toISOString()],
    ]);
  });

  it('commits a batch all or nothing: a refused statement rolls back the statements before it', async () => {
    await executeStatements(db.prisma, insertRows('sqlite', 'OidcPayload', COLUMNS, rows(['A:taken'])));
    const err: unknown = await executeStatements(db.prisma, [
      ...insertRows('sqlite', 'OidcPayload', COLUMNS, rows(['A:1', 'A:2'])),
      ...updateWhereIn('sqlite', 'OidcPayload', { payload: 'changed' }, 'id', ['A:taken']),
      ...insertRows('sqlite', 'OidcPayload', COLUMNS, rows(['A:3', 'A:taken'])),
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqliteWriteError);
    expect((err as SqliteWriteError).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(isConflict(err)).toBe(true);
    expect(isDatabaseUnavailable(err)).toBe(false);
    const left = await db.prisma.oidcPayload.findMany({ where: { id: { startsWith: 'A:' } } });
    expect(left.map((r) => [r.id, r.payload])).toEqual([['A:taken', '{}']]);
    // A NOT NULL violation is refused too, and is no conflict.
    const notNull: unknown = await executeStatements(db.prisma, insertRows('sqlite', 'OidcPayload', COLUMNS, [['A:4', 'w', 'W', null]])).catch((e: unknown) => e);
    expect(notNull).toBeInstanceOf(SqliteWriteError);
    expect(isConflict(notNull)).toBe(false);
  });

  it('through a group-commit queue: one batch per turn, a bad operation rejects only its own caller, the rest is committed in order', async () => {
    const q = new GroupCommitQueue<{ id: string; payload: string }>({
      write: async (ops) => {
        await executeStatements(db.prisma, insertRows('sqlite', 'OidcPayload', COLUMNS, ops.map((o) => [o.id, 'w', 'Q', o.payload]), { onConflict: { target: ['id'], update: ['payload'] } }));
      },
    });
    const outcomes = await Promise.allSettled([
      q.enqueue({ id: 'Q:1', payload: 'first' }),
      q.enqueue({ id: 'Q:2', payload: 'x' }),
      q.enqueue({ id: 'Q:bad', payload: null as unknown as string }),
      q.enqueue({ id: 'Q:1', payload: 'second' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const read = await db.prisma.oidcPayload.findMany({ where: { kind: 'Q' }, orderBy: { id: 'asc' } });
    expect(read.map((r) => [r.id, r.payload])).toEqual([
      ['Q:1', 'second'],
      ['Q:2', 'x'],
    ]);
  });

  it('a Prisma transaction and a batch take turns: the batch waits for the transaction that read before it', async () => {
    await executeStatements(db.prisma, insertRows('sqlite', 'OidcPayload', COLUMNS, rows(['T:1'], 'start')));
    let batch: Promise<number[]> | undefined;
    await db.prisma.$transaction(async (tx) => {
      const before = await tx.oidcPayload.findUniqueOrThrow({ where: { id: 'T:1' } });
      batch = executeStatements(db.prisma, updateWhereIn('sqlite', 'OidcPayload', { payload: 'batch' }, 'id', ['T:1']));
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      // Without the turns, this write would meet the batch's commit (SQLITE_BUSY_SNAPSHOT).
      await tx.oidcPayload.update({ where: { id: 'T:1' }, data: { payload: `${before.payload}+tx` } });
    });
    expect(await batch).toEqual([1]);
    expect((await db.prisma.oidcPayload.findUniqueOrThrow({ where: { id: 'T:1' } })).payload).toBe('batch');
  });

  it('starts again after close, so a late write is still written', async () => {
    const other = await openDatabase({ dataDir: dir, name: 'writer-close' });
    try {
      await executeStatements(other.prisma, insertRows('sqlite', 'OidcPayload', COLUMNS, rows(['C:1'])));
      await writerOf(other.prisma)!.close();
      await executeStatements(other.prisma, insertRows('sqlite', 'OidcPayload', COLUMNS, rows(['C:2'])));
      expect(await other.prisma.oidcPayload.count({ where: { id: { startsWith: 'C:' } } })).toBe(2);
    } finally {
      await other.close();
    }
  });

  it('a close awaited as the last thing a process does completes (the idle thread does not let the process end first)', async () => {
    const name = 'writer-last-close';
    const script = join(dir, 'close-child.mjs');
    writeFileSync(
      script,
      `import { openDatabase, executeStatements, insertRows } from ${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))};
const db = await openDatabase({ dataDir: ${JSON.stringify(dir)}, name: ${JSON.stringify(name)} });
await executeStatements(db.prisma, insertRows('sqlite', 'OidcPayload', ['id', 'server', 'kind', 'payload'], [['L:1', 'w', 'L', '{}']]));
await db.close();
process.stdout.write('closed\\n');
`,
    );
    const child = spawn(process.execPath, ['--conditions=@mcx/source', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect({ code, out }).toEqual({ code: 0, out: 'closed\n' });
  }, 60_000);

  it('loses nothing it acknowledged when the process is killed (SIGKILL) while writing', async () => {
    const name = 'writer-kill';
    await openDatabase({ dataDir: dir, name }).then((d) => d.close()); // migrated before the child starts
    const script = join(dir, 'writer-child.mjs');
    const index = fileURLToPath(new URL('./index.ts', import.meta.url));
    // Enqueues ever more rows, a few per turn, and prints each id once its promise resolved.
    writeFileSync(
      script,
      `import { openDatabase, GroupCommitQueue, executeStatements, insertRows } from ${JSON.stringify(index)};
const db = await openDatabase({ dataDir: ${JSON.stringify(dir)}, name: ${JSON.stringify(name)} });
const q = new GroupCommitQueue({ write: (ids) => executeStatements(db.prisma, insertRows('sqlite', 'OidcPayload', ['id', 'server', 'kind', 'payload'], ids.map((id) => [id, 'w', 'K', '{}']))) });
let n = 0;
const more = () => {
  for (let i = 0; i < 7; i++) {
    const id = 'K:' + n++;
    q.enqueue(id).then(() => process.stdout.write(id + '\\n'));
  }
  setImmediate(more);
};
more();
`,
    );
    const child = spawn(process.execPath, ['--conditions=@mcx/source', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: string[] = [];
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      acknowledged.push(...lines);
      if (acknowledged.length >= 500 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    expect(await exited).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(500);
    const after = await openDatabase({ dataDir: dir, name });
    try {
      const stored = new Set((await after.prisma.oidcPayload.findMany({ where: { kind: 'K' }, select: { id: true } })).map((r) => r.id));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await after.close();
    }
  }, 60_000);
});
