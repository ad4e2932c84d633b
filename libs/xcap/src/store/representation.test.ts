import { describe, expect, it } from 'vitest';
import { computeEtag } from '../etag.ts';
import { InMemoryDocumentStore } from './memory-store.ts';
import { quotedEtagOf, representationOf } from './representation.ts';

describe('representationOf', () => {
  it('encodes a version once: the quoted ETag and the UTF-8 bytes (multi-byte characters counted as bytes)', async () => {
    const store = new InMemoryDocumentStore();
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<r xmlns="urn:x">é€</r>';
    const v1 = await store.put('a/users/sip:u@x/d', body, { contentType: 'application/xml' });
    const r = representationOf(v1);
    expect(r.quotedEtag).toBe(`"${computeEtag(body)}"`);
    expect(r.bytes.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(r.bytes.length).toBe(Buffer.byteLength(body));
    expect(representationOf(v1)).toBe(r);
    expect(quotedEtagOf(v1)).toBe(r.quotedEtag);
  });

  it('a new version gets its own representation', async () => {
    const store = new InMemoryDocumentStore();
    const v1 = await store.put('a/users/sip:u@x/d', '<r xmlns="urn:x">1</r>', { contentType: 'application/xml' });
    const v2 = await store.put('a/users/sip:u@x/d', '<r xmlns="urn:x">2</r>', { contentType: 'application/xml', ifEtag: v1.etag });
    expect(representationOf(v2).bytes.toString('utf8')).toBe('<r xmlns="urn:x">2</r>');
    expect(representationOf(v1).bytes.toString('utf8')).toBe('<r xmlns="urn:x">1</r>');
    expect(quotedEtagOf(v2)).toBe(`"${v2.etag}"`);
  });
});
