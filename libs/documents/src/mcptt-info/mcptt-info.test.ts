import { describe, expect, it } from 'vitest';
import { codecArbitrary } from '@mcx/xml/testing';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { validateXml } from '@mcx/schemas';
import { parseXml } from '@mcx/xml';
import { accessTokenOf, migrationAnyExt, migrationInfoOf, mcpttInfoCodec, mcpttInfoDocument, mcpttInfoWithAccessToken, parseMcpttInfo, serializeMcpttInfo, type McpttInfo } from './mcptt-info.ts';

const token = 'eyJhbGciOiJSUzI1NiJ9.eyJtY3B0dF9pZCI6InNpcDphbGljZUBleGFtcGxlLm5ldCJ9.c2ln';
const maximal: McpttInfo = {
  params: {
    requestUri: { type: 'Normal', mcpttURI: 'sip:cms-psi@mcx-a.example.net' },
    callingUserId: { type: 'Normal', mcpttURI: 'sip:alice@mcx-a.example.net' },
    accessToken: { type: 'Normal', mcpttString: token },
    other: ['<mcptt-client-id xmlns="urn:3gpp:ns:mcpttInfo:1.0" type="Normal"><mcpttString>c1</mcpttString></mcptt-client-id>'],
  },
};

documentSuite('mcptt-info', { document: mcpttInfoDocument, xsd: undefined, minimal: mcpttInfoWithAccessToken(token), maximal, arbitrary: codecArbitrary(mcpttInfoCodec) });

describe('mcptt-info: access token (TS 24.484 clause 6.3.13.2.2)', () => {
  it('writes the token in mcptt-Params/mcptt-access-token[@type=Normal]/mcpttString', () => {
    const xml = serializeMcpttInfo(mcpttInfoWithAccessToken(token));
    expect(xml).toMatch(/<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0">\s*<mcptt-Params>\s*<mcptt-access-token type="Normal">\s*<mcpttString>eyJ/);
    expect(accessTokenOf(parseMcpttInfo(xml))).toBe(token);
  });
  it('does not hand out an encrypted token as clear text', () => {
    expect(accessTokenOf({ params: { accessToken: { type: 'Encrypted', mcpttString: 'b64' } } })).toBeUndefined();
  });
  it('rejects a bad protection type and a missing mcptt-Params', () => {
    expectDocumentError(() => parseMcpttInfo(serializeMcpttInfo(maximal).replace('type="Normal"', 'type="Plain"')), 'schema', /@type/);
    expectDocumentError(() => parseMcpttInfo('<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"/>'), 'schema', /mcptt-Params/);
  });
});

describe('mcptt-info: migration elements in anyExt of mcptt-Params (TS 23.280 10.6.3; names inferred from TS 24.281 mcvideoinfo)', () => {
  const request = { partnerMcpttId: 'sip:alice.mcx-a@mcx-b.example.net', primaryMcpttId: 'sip:alice@mcx-a.example.net', selectedUserProfileIndex: 1 };
  it('writes partner-mcptt-id, primary-mcptt-id and selected-user-profile-index/user-profile-index and reads them back', async () => {
    const xml = serializeMcpttInfo({ params: { anyExt: migrationAnyExt(request) } });
    expect(xml).toMatch(/<mcptt-Params>\s*<anyExt>\s*<partner-mcptt-id type="Normal">\s*<mcpttURI>sip:alice.mcx-a@mcx-b.example.net<\/mcpttURI>/);
    expect(xml).toMatch(/<selected-user-profile-index>\s*<user-profile-index>1<\/user-profile-index>\s*<\/selected-user-profile-index>/);
    expect(migrationInfoOf(parseMcpttInfo(xml))).toEqual({ ...request, migrationAuthResult: undefined });
    // Each anyExt child validates (libxml2) against the inferred schema of these elements.
    const ext = parseXml(xml).getElementsByTagNameNS('urn:3gpp:ns:mcpttInfo:1.0', 'anyExt')[0]!;
    const children = Array.from(ext.childNodes).filter((n) => n.nodeType === 1);
    expect(children).toHaveLength(3);
    for (const c of children) {
      const one = (c as unknown as { toString(): string }).toString();
      expect(one).toContain('xmlns="urn:3gpp:ns:mcpttInfo:1.0"');
      expect(await validateXml(one, 'inferred/mcptt-info-migration.xsd')).toMatchObject({ ok: true, errors: [] });
    }
  });
  it('carries the decision as migration-auth-result (xs:boolean)', () => {
    const xml = serializeMcpttInfo({ params: { anyExt: migrationAnyExt({ ...request, migrationAuthResult: false }) } });
    expect(xml).toContain('<migration-auth-result>false</migration-auth-result>');
    expect(migrationInfoOf(parseMcpttInfo(xml)).migrationAuthResult).toBe(false);
    expectDocumentError(() => parseMcpttInfo(xml.replace('>false<', '>perhaps<')), 'schema', /migration-auth-result/);
  });
});
