import { getPriority } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_XML_LIMITS, WorkerPoolBusyError, WorkerTaskError, XmlWorkerPool } from './index.ts';
import type { ParseOutcome } from './xml-tasks.ts';

const TASKS = new URL('./xml-tasks.ts', import.meta.url);
const pools: XmlWorkerPool[] = [];
const pool = (options: { threads?: number; maxQueue?: number; niceness?: number; idleTimeoutMs?: number } = {}) => {
  const p = new XmlWorkerPool({ module: TASKS, ...options });
  pools.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('XmlWorkerPool', () => {
  it('runs a task of the task module in a worker thread and returns its result', async () => {
    const p = pool();
    const out = await p.run<ParseOutcome>('parseChecked', { xml: '<r xmlns="urn:x"><a/><b c="1"/></r>', limits: DEFAULT_XML_LIMITS });
    expect(out).toEqual({ ok: true, elements: 3, depth: 2, serializedLength: expect.any(Number) });
    expect(p.stats()).toMatchObject({ threads: 1, running: 0, queued: 0, completed: 1 });
  });

  it("passes a task's error to the caller, with the name it had in the thread", async () => {
    const p = pool({ threads: 1 });
    const err = await p.run('fail', { message: 'boom' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerTaskError);
    expect(err).toMatchObject({ message: 'boom', remoteName: 'TypeError' });
    await expect(p.run('noSuchTask', {})).rejects.toThrow(/no task noSuchTask/);
  });

  it('refuses a task at once when every thread is busy and the queue is full, and runs the queued ones', async () => {
    const p = pool({ threads: 1, maxQueue: 1 });
    const big = { xml: `<r xmlns="urn:x">${'<b/>'.repeat(19_000)}</r>`, limits: DEFAULT_XML_LIMITS };
    const running = p.run<ParseOutcome>('parseChecked', big);
    const queued = p.run<ParseOutcome>('parseChecked', big);
    expect(p.stats()).toMatchObject({ running: 1, queued: 1 });
    await expect(p.run('parseChecked', big)).rejects.toBeInstanceOf(WorkerPoolBusyError);
    expect(await running).toMatchObject({ ok: true, elements: 19_001 });
    expect(await queued).toMatchObject({ ok: true, elements: 19_001 });
  });

  it('stops a thread that stays idle, and starts a fresh one for the next task', async () => {
    const p = pool({ threads: 1, idleTimeoutMs: 50 });
    await p.run('parseChecked', { xml: '<r/>', limits: DEFAULT_XML_LIMITS });
    expect(p.stats().threads).toBe(1);
    while (p.stats().threads > 0) await new Promise((r) => setTimeout(r, 20));
    expect(await p.run('parseChecked', { xml: '<r><a/></r>', limits: DEFAULT_XML_LIMITS })).toMatchObject({ ok: true, elements: 2 });
    expect(p.stats()).toMatchObject({ threads: 1, completed: 2 });
  });

  it('rejects what waits when closed', async () => {
    const p = pool({ threads: 1 });
    const first = p.run('parseChecked', { xml: '<r/>', limits: DEFAULT_XML_LIMITS }).catch((e: unknown) => e);
    const second = p.run('parseChecked', { xml: '<r/>', limits: DEFAULT_XML_LIMITS }).catch((e: unknown) => e);
    await p.close();
    expect(await first).toMatchObject({ message: expect.stringMatching(/closed/) });
    expect(await second).toMatchObject({ message: expect.stringMatching(/closed/) });
    await expect(p.run('parseChecked', { xml: '<r/>', limits: DEFAULT_XML_LIMITS })).rejects.toThrow(/closed/);
  });
});

describe('XmlWorkerPool threads on Linux', () => {
  it.runIf(process.platform === 'linux' && getPriority() < 10)('run niced below the event loop (niceness 10 by default; 0 keeps the process niceness)', async () => {
    const p = pool({ threads: 1 });
    expect(await p.run('threadNiceness', {})).toBe(10);
    const plain = pool({ threads: 1, niceness: 0 });
    expect(await plain.run('threadNiceness', {})).toBe(getPriority());
  });
});
