import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SchemaError } from './schema-error.ts';
import { XSD_ROOT } from './schema-path.ts';
import { validateXml } from './validate.ts';

const RL = 'urn:ietf:params:xml:ns:resource-lists';
const resourceLists = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="${RL}">${body}</resource-lists>`;

describe('validateXml against a schema', () => {
  it('accepts a valid document, xml:lang resolved through the imported xml.xsd', async () => {
    const r = await validateXml(resourceLists('<list name="a"><entry uri="sip:alice@example.org"><display-name xml:lang="en">Alice</display-name></entry></list>'), 'ietf/resource-lists.xsd');
    expect(r).toEqual({ ok: true, errors: [] });
  });

  it('accepts a user profile, whose schema imports common-policy from the schema folder', async () => {
    const xml = '<mcptt-user-profile xmlns="urn:3gpp:mcptt:user-profile:1.0" XUI-URI="sip:alice@example.org" user-profile-index="1"><Name xml:lang="en">Alice</Name></mcptt-user-profile>';
    expect(await validateXml(xml, 'rel13/mcptt-user-profile.xsd')).toEqual({ ok: true, errors: [] });
  });

  it('rejects an invalid document with a message naming the element', async () => {
    const r = await validateXml(resourceLists('<list><bogus/></list>'), 'ietf/resource-lists.xsd');
    expect(r.ok).toBe(false);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^document\.xml:2: .*Element '\{urn:ietf:params:xml:ns:resource-lists\}bogus': This element is not expected/);
  });

  it('rejects a document that breaks a value constraint of the schema', async () => {
    const xml = '<mcptt-user-profile xmlns="urn:3gpp:mcptt:user-profile:1.0" XUI-URI="sip:alice@example.org" user-profile-index="256"><Name>Alice</Name></mcptt-user-profile>';
    const r = await validateXml(xml, 'rel13/mcptt-user-profile.xsd');
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toContain("attribute 'user-profile-index'");
  });

  it('rejects with a SchemaError, not a validation failure, when the schema file is missing', async () => {
    const p = validateXml(resourceLists(''), 'ietf/no-such-schema.xsd');
    await expect(p).rejects.toBeInstanceOf(SchemaError);
    await expect(p).rejects.toMatchObject({ reason: 'not-found', schema: 'ietf/no-such-schema.xsd' });
  });

  it('refuses a schema name outside the schema folder', async () => {
    await expect(validateXml(resourceLists(''), '../package.json')).rejects.toMatchObject({ reason: 'outside-schema-folder' });
  });
});

describe('validateXml without a schema (well-formedness)', () => {
  it('accepts a well-formed document', async () => {
    expect(await validateXml('<a xmlns="urn:x"><b/></a>')).toEqual({ ok: true, errors: [] });
  });

  it('rejects a document that is not well-formed', async () => {
    const r = await validateXml('<a><b></a>');
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatch(/Opening and ending tag mismatch: b line 1 and a/);
  });

  it('rejects a document binding the xml namespace to another prefix (a namespace error xmllint still exits 0 on)', async () => {
    const r = await validateXml('<a xmlns:lang="http://www.w3.org/XML/1998/namespace"/>');
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([expect.stringMatching(/namespace error : xml namespace URI mapped to wrong prefix/)]);
  });

  it('rejects the same namespace error under a schema that would otherwise accept the document', async () => {
    const r = await validateXml(resourceLists('<list name="a" xmlns:x="http://www.w3.org/XML/1998/namespace"/>'), 'ietf/resource-lists.xsd');
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toContain('xml namespace URI mapped to wrong prefix');
  });
});

describe('the schema folder', () => {
  const schemas = readdirSync(XSD_ROOT, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.xsd'))
    .map((f) => f.replaceAll('\\', '/'))
    .sort();

  it('holds the 3GPP Rel-13, IETF and inferred schemas the documents and NOTIFY bodies are checked against', () => {
    expect(schemas).toEqual([
      'ietf/common-policy.xsd',
      'ietf/patch-ops.xsd',
      'ietf/resource-lists.xsd',
      'ietf/xcap-caps.xsd',
      'ietf/xcap-diff.xsd',
      'ietf/xcap-error.xsd',
      'inferred/mcptt-info-migration.xsd',
      'inferred/mcptt-migration.xsd',
      'rel13/Servconf.xsd',
      'rel13/mcptt-user-profile.xsd',
      'rel13/ue-config.xsd',
      'rel13/ue-init-config.xsd',
      'rel13/xml.xsd',
    ]);
  });

  // A schema that libxml2 compiles with a warning or namespace error (as the published Rel-13
  // xml.xsd did) puts a line naming the schema file into the output, next to the document's own error.
  it.each(schemas)('%s and the files it imports compile without any diagnostic', async (schema) => {
    const r = await validateXml('<not-a-root-of-any-schema xmlns="urn:mcx:test"/>', schema);
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([expect.stringMatching(/^document\.xml:1: .*No matching global declaration available for the validation root/)]);
  });
});
