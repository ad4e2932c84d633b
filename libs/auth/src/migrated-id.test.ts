// The MCPTT ID a partner system assigns a migrating user (TS 23.280 clause 10.16.5).
import { describe, expect, it } from 'vitest';
import { assignMigratedMcpttId } from './migrated-id.ts';

describe('assignMigratedMcpttId', () => {
  it('defaults to sip:<user>.<home>@<partner domain> (our choice)', () => {
    expect(assignMigratedMcpttId('sip:alice@mcx-a.example.net', 'mcx-a', 'mcx-b.example.net')).toBe('sip:alice.mcx-a@mcx-b.example.net');
  });
  it('takes an explicit assignment of the ecosystem file for that user and home system only', () => {
    const assigned = [{ homeSystemId: 'mcx-a', mcpttId: 'sip:alice@mcx-a.example.net', assignedMcpttId: 'sip:visitor-17@mcx-b.example.net' }];
    expect(assignMigratedMcpttId('sip:alice@mcx-a.example.net', 'mcx-a', 'mcx-b.example.net', assigned)).toBe('sip:visitor-17@mcx-b.example.net');
    expect(assignMigratedMcpttId('sip:alice@mcx-c.example.net', 'mcx-c', 'mcx-b.example.net', assigned)).toBe('sip:alice.mcx-c@mcx-b.example.net');
    expect(assignMigratedMcpttId('sip:bob@mcx-a.example.net', 'mcx-a', 'mcx-b.example.net', assigned)).toBe('sip:bob.mcx-a@mcx-b.example.net');
  });
});
