import { describe, expect, it } from 'vitest';
import { groupSelector, mcGroupIdOf, resolveSubscribedUri } from './group-uri.ts';
import { alternativeGroupIds } from './group-usage.ts';

const ROOT = 'http://127.0.0.1:7032/xcap-root';

describe('group URIs (TS 24.481 clause 6.2.2.2)', () => {
  it('makes a bare group id an MC group ID in the system domain and keeps URIs', () => {
    expect(mcGroupIdOf('fire-1', 'mcx-a.example')).toBe('sip:fire-1@mcx-a.example');
    expect(mcGroupIdOf('sip:fire-1@mcx-b.example', 'mcx-a.example')).toBe('sip:fire-1@mcx-b.example');
  });

  it('places a group document at global/byGroupID/<MC group ID>, ":" and "@" unencoded', () => {
    expect(groupSelector('sip:fire-1@mcx-a.example')).toBe('org.openmobilealliance.groups/global/byGroupID/sip:fire-1@mcx-a.example');
    expect(groupSelector('sip:a b@x')).toBe('org.openmobilealliance.groups/global/byGroupID/sip:a%20b@x');
  });

  it('resolves subscribed URIs: relative or absolute documents, collections, others (RFC 5875 clause 4.3)', () => {
    const sel = 'org.openmobilealliance.groups/global/byGroupID/sip:fire-1@mcx-a.example';
    expect(resolveSubscribedUri(sel, ROOT)).toEqual({ kind: 'document', selector: sel });
    expect(resolveSubscribedUri(`${ROOT}/${sel}`, ROOT)).toEqual({ kind: 'document', selector: sel });
    expect(resolveSubscribedUri('org.openmobilealliance.groups/global/byGroupID/', ROOT)).toEqual({ kind: 'collection' });
    expect(resolveSubscribedUri('org.openmobilealliance.groups/users/sip:alice@mcx-a.example/', ROOT)).toEqual({ kind: 'collection' });
    expect(resolveSubscribedUri('http://elsewhere/xcap-root/' + sel, ROOT)).toEqual({ kind: 'foreign' });
    expect(resolveSubscribedUri('org.3gpp.mcptt.user-profile/users/sip:a@b/x.xml', ROOT)).toEqual({ kind: 'foreign' });
    expect(resolveSubscribedUri(`${sel}/~~/group/list-service`, ROOT)).toEqual({ kind: 'foreign' });
  });

  it('proposes free alternatives to a taken MC group ID (RFC 4825 clause 11.1 alt-value)', () => {
    const taken = new Set(['sip:fire-1@d', 'sip:fire-1-2@d']);
    expect(alternativeGroupIds('sip:fire-1@d', (u) => taken.has(u))).toEqual(['sip:fire-1-3@d', 'sip:fire-1-4@d']);
  });
});
