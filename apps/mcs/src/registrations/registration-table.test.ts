import { Scheduler } from '@mcx/sip';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistrationTable, type Registration } from './registration-table.ts';

const reg = (mcpttId: string, contact: string, expiresInMs: number): Registration => ({
  mcpttId,
  contact,
  kind: 'service',
  homeSystem: 'mcx-a',
  expiresAt: new Date(Date.now() + expiresInMs),
  registeredAt: new Date(),
});

describe('RegistrationTable', () => {
  const scheduler = new Scheduler();
  afterEach(() => scheduler.stop());

  it('finds the bindings of one user only, and keeps one row per (user, contact)', () => {
    const table = new RegistrationTable(scheduler);
    table.upsert(reg('sip:alice@a.example', 'sip:ue1@10.0.0.1', 60_000));
    table.upsert(reg('sip:alice@a.example', 'sip:ue2@10.0.0.2', 60_000));
    table.upsert(reg('sip:bob@a.example', 'sip:ue3@10.0.0.3', 60_000));
    table.upsert(reg('sip:alice@a.example', 'sip:ue1@10.0.0.1', 120_000)); // a refresh replaces the row
    expect(table.size).toBe(3);
    expect(table.find('sip:alice@a.example').map((r) => r.contact).sort()).toEqual(['sip:ue1@10.0.0.1', 'sip:ue2@10.0.0.2']);
    expect(table.find('sip:carol@a.example')).toEqual([]);
    expect(table.list()).toHaveLength(3);
    // The refresh cancelled the first row's expiry timer: one live timer per row.
    expect(scheduler.size).toBe(3);
  });

  it('removes while the caller iterates over a find, and counts what is left', () => {
    const table = new RegistrationTable(scheduler);
    table.upsert(reg('sip:alice@a.example', 'sip:ue1@10.0.0.1', 60_000));
    table.upsert(reg('sip:alice@a.example', 'sip:ue2@10.0.0.2', 60_000));
    for (const r of table.find('sip:alice@a.example')) expect(table.remove(r.mcpttId, r.contact)).toBe(true);
    expect(table.remove('sip:alice@a.example', 'sip:ue1@10.0.0.1')).toBe(false);
    expect(table.size).toBe(0);
    expect(table.find('sip:alice@a.example')).toEqual([]);
    expect(scheduler.size).toBe(0);
  });

  it('drops a row when it expires, not a newer row of the same binding', async () => {
    const table = new RegistrationTable(scheduler);
    table.upsert(reg('sip:alice@a.example', 'sip:ue1@10.0.0.1', 20));
    table.upsert(reg('sip:bob@a.example', 'sip:ue3@10.0.0.3', 20));
    table.upsert(reg('sip:bob@a.example', 'sip:ue3@10.0.0.3', 60_000)); // refreshed before it expired
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(table.find('sip:alice@a.example')).toEqual([]);
    expect(table.find('sip:bob@a.example')).toHaveLength(1);
    expect(table.size).toBe(1);
  });
});
