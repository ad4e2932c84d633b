/**
 * Patch NOTIFY bodies that touch `xml:lang` (a user profile's `<Name>`, TS 24.484 annex A)
 * must stay namespace-well-formed: the `xml` prefix is bound by definition and its namespace
 * must not be bound to any other prefix (Namespaces in XML 1.0 clause 3). Checked with
 * libxml2 (a strict parser), not with the lenient DOM parser the library uses, and validated
 * against the xcap-diff schema (RFC 5874 clause 7, with the RFC 5261 patch operation types).
 */
import { validateXml, XCAP_DIFF_XSD } from '@mcx/schemas';
import { describe, expect, it } from 'vitest';
import { computeEtag } from '../etag.ts';
import { applyXcapDiff } from './apply-diff.ts';
import { diffDocument } from './diff-document.ts';
import { renderXcapDiff } from './xcap-diff.ts';

const SEL = 'org.3gpp.mcptt.user-profile/users/sip:alice@example.org/user-profile.xml';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** A user profile large enough that a one-attribute patch is smaller than the document. */
function userProfile(lang: string, name: string): string {
  const entries = Array.from(
    { length: 20 },
    (_, i) =>
      `<entry><uri-entry>sip:group-${i}@example.org</uri-entry><display-name xml:lang="en">Group ${i}</display-name></entry>`,
  ).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<mcptt-user-profile xmlns="urn:3gpp:mcptt:user-profile:1.0" XUI-URI="sip:alice@example.org" user-profile-index="1">' +
    `<Name xml:lang="${lang}">${name}</Name>` +
    `<Pre-selected-indication/><MCPTTGroupCall><MaxSimultaneousCallsN6>1</MaxSimultaneousCallsN6><MCPTTGroupList>${entries}</MCPTTGroupList></MCPTTGroupCall>` +
    '</mcptt-user-profile>\n'
  );
}

async function patchNotify(previousBody: string, newBody: string) {
  const entry = diffDocument({
    sel: SEL,
    previousEtag: computeEtag(previousBody),
    newEtag: computeEtag(newBody),
    previousBody,
    newBody,
  });
  expect(entry.patch, 'the change is carried as patch operations').toBeDefined();
  const xml = renderXcapDiff('https://cms.example.org/xcap-root', [entry]);
  return { xml, strict: await validateXml(xml, XCAP_DIFF_XSD) };
}

describe('patch operations on xml:lang are namespace-well-formed', () => {
  it('an xml:lang attribute change selects @xml:lang and declares no prefix for the xml namespace', async () => {
    const before = userProfile('en', 'Alice');
    const after = userProfile('fr', 'Alice');
    const { xml, strict } = await patchNotify(before, after);
    expect(strict).toEqual({ ok: true, errors: [] });
    expect(xml).not.toContain(`"${XML_NS}"`);
    expect(xml).toContain('/@xml:lang"');
    const [applied] = applyXcapDiff(xml, () => ({ etag: computeEtag(before), body: before }));
    expect(applied).toMatchObject({ action: 'patched', etag: computeEtag(after) });
  });

  it('an element carrying xml:lang added by the patch is written without a declaration of the xml prefix', async () => {
    const before = userProfile('en', 'Alice');
    const after = before.replace(
      '<Name xml:lang="en">Alice</Name>',
      '<Name xml:lang="en">Alice</Name><Name xml:lang="de">Alicia</Name>',
    );
    const { xml, strict } = await patchNotify(before, after);
    expect(strict).toEqual({ ok: true, errors: [] });
    expect(xml).toContain('<Name xmlns="urn:3gpp:mcptt:user-profile:1.0" xml:lang="de">Alicia</Name>');
    expect(xml).not.toContain(`"${XML_NS}"`);
    const [applied] = applyXcapDiff(xml, () => ({ etag: computeEtag(before), body: before }));
    expect(applied).toMatchObject({ action: 'patched', etag: computeEtag(after) });
  });

  it('removing an xml:lang attribute selects it by the xml prefix', async () => {
    const before = userProfile('en', 'Alice');
    const after = before.replace('<Name xml:lang="en">Alice</Name>', '<Name>Alice</Name>');
    const { xml, strict } = await patchNotify(before, after);
    expect(strict).toEqual({ ok: true, errors: [] });
    expect(xml).toMatch(/<remove sel="[^"]*\/@xml:lang"\/>/);
  });
});
