import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUID, catalogue, catalogueEntryByMimeType, documentCodecs, userProfileDocumentName, validateDocument } from './catalogue.ts';
import { buildUserProfile } from './builders/user-profile.ts';
import { serializeUserProfile } from './user-profile/user-profile.ts';

describe('catalogue', () => {
  it('registers a codec for every XCAP AUID of the MCX documents', () => {
    expect(Object.keys(documentCodecs).sort()).toEqual(Object.values(AUID).sort());
  });
  it('names user profile documents by index (TS 24.484 clause 8.3.1A)', () => {
    expect(userProfileDocumentName(2)).toBe('mcptt-user-profile-2.xml');
  });
  it('finds an entry by Content-Type, parameters ignored', () => {
    expect(catalogueEntryByMimeType('application/vnd.3gpp.mcptt-user-profile+xml; charset=utf-8')?.auid).toBe(AUID.userProfile);
  });
  it('validateDocument accepts a valid document and reports a typed error otherwise, without throwing', () => {
    const xml = serializeUserProfile(buildUserProfile({ mcpttId: 'sip:a@x', index: 1, profileName: 'home' }));
    expect(validateDocument(AUID.userProfile, xml).ok).toBe(true);
    const wrong = validateDocument(AUID.ueConfig, xml);
    expect(wrong.ok || wrong.error.code).toBe('wrong-root');
    const unknownAuid = validateDocument('org.example.nothing', xml);
    expect(unknownAuid.ok || unknownAuid.error.code).toBe('unknown-auid');
    const strictOwnNs = validateDocument(AUID.userProfile, xml.replace('<Status>', '<Bogus/><Status>'));
    expect(strictOwnNs.ok || strictOwnNs.error.code).toBe('schema');
  });
  it('the README lists every document with its AUID, namespace, MIME type and URI pattern', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const e of Object.values(catalogue)) {
      const row = readme.split('\n').find((l) => l.includes(`\`${e.namespace}\``) && l.includes(`\`${e.mimeType}\``));
      expect(row, e.title).toBeDefined();
      if (e.auid) expect(row).toContain(`\`${e.auid}\``);
      expect(row).toContain(`\`${e.uriPattern}\``);
    }
  });
});
