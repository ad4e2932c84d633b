import { describe, expect, it } from 'vitest';
import { MCPTT_INFO_CONTENT_TYPE, RESOURCE_LISTS_CONTENT_TYPE, SipHeaders, type BodyPart } from '@mcx/sip';
import { PartReadings, readSubscribeBody } from './subscribe-request.ts';
import { SubscribeRefusal } from './subscribe-refusal.ts';

const part = (contentType: string, body: string): BodyPart => ({ headers: new SipHeaders(), contentType, body });

const info = (token: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params><mcptt-access-token type="Normal"><mcpttString>${token}</mcpttString></mcptt-access-token></mcptt-Params></mcpttinfo>`;
const lists = (...uris: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>${uris.map((u) => `<entry uri="${u}"/>`).join('')}</list></resource-lists>`;

function refusal(f: () => unknown): SubscribeRefusal {
  try {
    f();
  } catch (err) {
    if (err instanceof SubscribeRefusal) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('readSubscribeBody', () => {
  it('reads the token and the listed URIs, and reads the same parts alike a second time', () => {
    const parts = [part(MCPTT_INFO_CONTENT_TYPE, info('tok-1')), part(RESOURCE_LISTS_CONTENT_TYPE, lists('org.openmobilealliance.groups/global/byGroupID/', 'x/users/sip:a@b/y'))];
    const first = readSubscribeBody(parts);
    const second = readSubscribeBody(parts.map((p) => part(p.contentType, `${p.body}`)));
    expect(first).toEqual({ accessToken: 'tok-1', uris: ['org.openmobilealliance.groups/global/byGroupID/', 'x/users/sip:a@b/y'] });
    expect(second).toEqual(first);
    // The list read once is shared: nobody may change it for the next subscriber.
    expect(() => (second.uris as string[]).push('z')).toThrow(TypeError);
  });

  it('tells different tokens apart', () => {
    const a = readSubscribeBody([part(MCPTT_INFO_CONTENT_TYPE, info('tok-a'))]);
    const b = readSubscribeBody([part(MCPTT_INFO_CONTENT_TYPE, info('tok-b'))]);
    expect([a.accessToken, b.accessToken]).toEqual(['tok-a', 'tok-b']);
    expect(a.uris).toEqual([]);
  });

  it('refuses a malformed part every time it comes (what does not read is not kept)', () => {
    const bad = [part(MCPTT_INFO_CONTENT_TYPE, '<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params>')];
    expect(refusal(() => readSubscribeBody(bad)).code).toBe('malformed-mcptt-info');
    expect(refusal(() => readSubscribeBody(bad)).code).toBe('malformed-mcptt-info');
    const badList = [part(MCPTT_INFO_CONTENT_TYPE, info('tok-1')), part(RESOURCE_LISTS_CONTENT_TYPE, '<resource-lists xmlns="urn:other"/>')];
    expect(refusal(() => readSubscribeBody(badList)).code).toBe('malformed-resource-list');
    expect(refusal(() => readSubscribeBody(badList)).code).toBe('malformed-resource-list');
  });

  it('refuses a token-less mcptt-info every time, read or remembered', () => {
    const none = [part(MCPTT_INFO_CONTENT_TYPE, '<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params/></mcpttinfo>')];
    expect(refusal(() => readSubscribeBody(none)).code).toBe('no-access-token');
    expect(refusal(() => readSubscribeBody(none)).code).toBe('no-access-token');
  });

  it('still bounds the URIs of a remembered list', () => {
    const parts = [part(MCPTT_INFO_CONTENT_TYPE, info('tok-1')), part(RESOURCE_LISTS_CONTENT_TYPE, lists('a/global/x', 'b/global/y', 'c/global/z'))];
    expect(readSubscribeBody(parts, 3).uris).toHaveLength(3);
    expect(refusal(() => readSubscribeBody(parts, 2)).code).toBe('too-many-resources');
  });
});

describe('PartReadings', () => {
  it('reads a text once, forgets the oldest beyond its capacity, and keeps no failure', () => {
    const readings = new PartReadings<number>(2);
    let reads = 0;
    const read = (t: string) => {
      reads += 1;
      if (t === 'bad') throw new Error('bad');
      return t.length;
    };
    expect([readings.get('one', read), readings.get('one', read), readings.get('three', read)]).toEqual([3, 3, 5]);
    expect(reads).toBe(2);
    expect(() => readings.get('bad', read)).toThrow('bad');
    expect(() => readings.get('bad', read)).toThrow('bad');
    expect(reads).toBe(4);
    readings.get('fourth', read); // capacity 2: 'one' goes
    expect(readings.size).toBe(2);
    readings.get('three', read);
    expect(reads).toBe(5);
    readings.get('one', read);
    expect(reads).toBe(6);
  });
});
