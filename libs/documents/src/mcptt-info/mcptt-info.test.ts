import { describe, expect, it } from 'vitest';
import { codecArbitrary } from '@mcx/xml/testing';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { accessTokenOf, mcpttInfoCodec, mcpttInfoDocument, mcpttInfoWithAccessToken, parseMcpttInfo, serializeMcpttInfo, type McpttInfo } from './mcptt-info.ts';

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
