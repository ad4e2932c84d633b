/**
 * Seeding reconciles (our choice: the ecosystem file is the source of truth for the groups it
 * seeds): seeding again with a changed member list or display name puts the stored group back to
 * the seed through the XCAP procedure, so a subscribed member gets a NOTIFY and reads the new
 * document (TS 24.481 clause 6.3.13, RFC 5875); the result says what changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGroup } from '@mcx/documents';
import type { SipEndpoint } from '@mcx/sip';
import { parseXcapDiff, XcapClient } from '@mcx/xcap';
import {
  admin,
  DOMAIN,
  mcpttIdOf,
  startSystem,
  subscribeGroups,
  ueEndpoint,
  waitFor,
  type System,
} from './fixture.ts';
import { groupSelector } from '../src/index.ts';

let sys: System;
let ue: SipEndpoint;
const FIRE = `sip:fire-1@${DOMAIN}`;
const fireSel = groupSelector(FIRE);
const seedOf = (members: string[], displayName = 'Fire 1') => ({
  groups: [
    {
      groupId: 'fire-1',
      displayName,
      members: members.map((u) => mcpttIdOf(u)),
      priority: 100,
      administrators: [mcpttIdOf('alice')],
    },
  ],
});

beforeAll(async () => {
  sys = await startSystem();
  ue = await ueEndpoint();
  await sys.gms.seed(seedOf(['alice', 'bob']));
});
afterAll(async () => {
  await ue?.close();
  await sys?.close();
});

describe('seeding a group that exists', () => {
  it('changes nothing when the group already matches the seed', async () => {
    const before = (await admin(sys.gms, 'GET', '/groups/fire-1')).json as { version: number };
    expect(await sys.gms.seed(seedOf(['bob', 'alice']))).toEqual({
      created: [],
      existing: [FIRE],
      reconciled: [],
    });
    expect(((await admin(sys.gms, 'GET', '/groups/fire-1')).json as { version: number }).version).toBe(
      before.version,
    );
  });

  it('puts members and display name back to the seed, says what changed, and the change reaches a subscriber', async () => {
    const bob = subscribeGroups({
      endpoint: ue,
      gms: sys.gms,
      token: await sys.token('bob'),
      uris: [fireSel],
      from: mcpttIdOf('bob'),
    });
    expect((await bob.handle.ready).status).toBe(200);
    await waitFor(() => bob.notifies.length >= 1, 'initial NOTIFY');
    const seen = bob.notifies.length;

    // An administrator's edit the file does not have, and a file that adds carol and renames the group.
    expect(
      (await admin(sys.gms, 'PUT', `/groups/fire-1/members/${encodeURIComponent(mcpttIdOf('dave'))}`, {}))
        .status,
    ).toBeLessThan(300);
    const result = await sys.gms.seed(seedOf(['alice', 'bob', 'carol'], 'Fire brigade 1'));
    expect(result.created).toEqual([]);
    expect(result.reconciled).toEqual([
      {
        groupId: FIRE,
        changes: [
          'display name "Fire 1" -> "Fire brigade 1"',
          `member ${mcpttIdOf('carol')} added`,
          `member ${mcpttIdOf('dave')} removed`,
        ],
      },
    ]);

    const stored = (await admin(sys.gms, 'GET', '/groups/fire-1')).json as {
      displayName: string;
      members: string[];
    };
    expect(stored.displayName).toBe('Fire brigade 1');
    expect([...stored.members].sort()).toEqual(['alice', 'bob', 'carol'].map((u) => mcpttIdOf(u)));

    // The subscribed member is told (xcap-diff with the new ETag) and reads carol in the document.
    await waitFor(
      () => bob.notifies.length > seen + 1,
      'NOTIFYs of the admin edit and of the reconciliation',
    );
    const client = new XcapClient({
      xcapRoot: sys.gms.xcapRoot,
      headers: async () => ({ authorization: `Bearer ${await sys.token('bob')}` }),
    });
    const doc = await client.get(fireSel);
    const last = parseXcapDiff(bob.notifies[bob.notifies.length - 1]!.body);
    expect(last.documents.find((d) => d.sel === fireSel)?.newEtag).toBe(doc.etag);
    expect(parseGroup(doc.body).listService.list?.entry?.map((e) => e.uri)).toContain(mcpttIdOf('carol'));
    await bob.handle.unsubscribe();
  });
});
