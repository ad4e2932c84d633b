import { describe, expect, it } from 'vitest';
import { loadSchemaSet, schemaLocations } from './schema-set.ts';
import { schemaPath, XSD_ROOT } from './schema-path.ts';

describe('loadSchemaSet', () => {
  it('collects a schema and what it imports, the schema first, names relative to the folder', () => {
    expect(loadSchemaSet('rel13/mcptt-user-profile.xsd').map((f) => f.fileName)).toEqual(['rel13/mcptt-user-profile.xsd', 'rel13/xml.xsd', 'ietf/common-policy.xsd']);
    expect(loadSchemaSet('ietf/resource-lists.xsd').map((f) => f.fileName)).toEqual(['ietf/resource-lists.xsd', 'rel13/xml.xsd']);
  });

  it('keeps the bytes as stored (the BOM of ue-init-config.xsd included)', () => {
    const [main] = loadSchemaSet('rel13/ue-init-config.xsd');
    expect([...(main?.contents.subarray(0, 3) ?? [])]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('says which schema is missing', () => {
    expect(() => loadSchemaSet('rel13/nothing.xsd')).toThrow(expect.objectContaining({ reason: 'not-found', message: 'rel13/nothing.xsd: no such file in the schema folder' }));
  });
});

describe('schemaLocations', () => {
  it('reads import, include and redefine locations and ignores commented-out ones', () => {
    const xsd = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <!-- <xs:import namespace="urn:x" schemaLocation="http://example.org/x.xsd"/> -->
      <xs:import namespace="urn:a"
        schemaLocation="a.xsd"/>
      <xs:include schemaLocation='../b.xsd'/>
      <redefine schemaLocation="c.xsd"/>
      <xs:import namespace="urn:no-location"/>
    </xs:schema>`;
    expect(schemaLocations(xsd)).toEqual(['a.xsd', '../b.xsd', 'c.xsd']);
  });
});

describe('schemaPath', () => {
  it('resolves a name below the schema folder', () => {
    expect(schemaPath('rel13/Servconf.xsd')).toBe(`${XSD_ROOT}rel13/Servconf.xsd`);
  });

  it('refuses a name that leaves the folder', () => {
    expect(() => schemaPath('../src/index.ts')).toThrow(expect.objectContaining({ reason: 'outside-schema-folder' }));
  });
});
