import { expect, it } from 'vitest';
import { Scheduler } from './scheduler.ts';

it('fires timers in deadline order and skips cancelled ones', async () => {
  const s = new Scheduler();
  const fired: number[] = [];
  s.schedule(30, () => fired.push(3));
  s.schedule(10, () => fired.push(1));
  const c = s.schedule(15, () => fired.push(99));
  s.schedule(20, () => fired.push(2));
  c.cancel();
  expect(s.size).toBe(3);
  await new Promise((r) => setTimeout(r, 60));
  expect(fired).toEqual([1, 2, 3]);
  expect(s.size).toBe(0);
});

it('clamps deadlines beyond setTimeout range (Expires 4294967295 s) instead of firing at once', async () => {
  let now = 1_000;
  const s = new Scheduler(undefined, () => now);
  let fired = false;
  const h = s.schedule(4294967295 * 1000, () => (fired = true));
  expect(h.due).toBe(1_000 + 4294967295 * 1000);
  await new Promise((r) => setTimeout(r, 20));
  expect(fired).toBe(false);
  now = h.due; // time passes: the next re-arm sees the deadline reached
  s.schedule(-1, () => undefined);
  await new Promise((r) => setTimeout(r, 20));
  expect(fired).toBe(true);
});

it('keeps going when a callback throws, and compacts many cancelled entries', async () => {
  const errors: unknown[] = [];
  const s = new Scheduler((e) => errors.push(e));
  const fired: string[] = [];
  s.schedule(1, () => {
    throw new Error('boom');
  });
  s.schedule(2, () => fired.push('after'));
  const many = Array.from({ length: 5000 }, () => s.schedule(100_000, () => fired.push('never')));
  for (const h of many) h.cancel();
  expect(s.size).toBe(2);
  await new Promise((r) => setTimeout(r, 30));
  expect(fired).toEqual(['after']);
  expect(errors).toHaveLength(1);
  s.stop();
});
