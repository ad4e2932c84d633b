// The xcap-diff schema (RFC 5874 clause 7) with the RFC 5261 clause 8 patch operation types it
// includes: the bodies RFC 5874 describes validate, and bodies that break it do not.
import { describe, expect, it } from 'vitest';
import { loadSchemaSet } from './schema-set.ts';
import { XCAP_DIFF_XSD } from './schema-names.ts';
import { validateXml } from './validate.ts';

const xcapDiff = (body: string, root = ' xcap-root="https://xcap.example.org/xcap-root/"') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-diff xmlns="urn:ietf:params:xml:ns:xcap-diff"${root}>${body}</xcap-diff>`;
const UP = 'org.3gpp.mcptt.user-profile/users/sip:alice@example.org/user-profile-1';

describe('the xcap-diff schema', () => {
  it('includes the patch operation types from the schema folder, not by their URN', () => {
    expect(loadSchemaSet(XCAP_DIFF_XSD).map((f) => f.fileName)).toEqual(['ietf/xcap-diff.xsd', 'ietf/patch-ops.xsd']);
  });

  it.each([
    ['full state (RFC 5874 clause 4: new-etag only)', `<document sel="${UP}" new-etag="e1"/>`],
    ['an empty xcap-diff (nothing subscribed)', ''],
    ['a document that changed, without patches', `<document sel="${UP}" previous-etag="e1" new-etag="e2"/>`],
    ['a document removed (previous-etag only)', `<document sel="${UP}" previous-etag="e1"/>`],
    ['body-not-changed (RFC 5874 clause 4.2)', `<document sel="${UP}" previous-etag="e1" new-etag="e2"><body-not-changed/></document>`],
    [
      'RFC 5261 add, replace and remove with xml:lang and a namespaced selector',
      `<document sel="${UP}" previous-etag="e1" new-etag="e2">` +
        `<add sel="/up:mcptt-user-profile/up:Name[1]" pos="after" xmlns:up="urn:3gpp:mcptt:user-profile:1.0"><up:Name xml:lang="fr">Alice</up:Name></add>` +
        `<replace sel="/*/*[2]/@xml:lang">en-GB</replace>` +
        `<replace sel="/*/*[@name=&quot;a&quot;]/text()">x</replace>` +
        `<remove sel="/*/*[3]" ws="before"/>` +
        `<add sel="/*" type="@user-profile-index">2</add>` +
        `</document>`,
    ],
    ['element and attribute updates (RFC 5874 clause 5)', `<element sel="${UP}/~~/x" exists="0"/><attribute sel="${UP}/~~/x/@y" exists="1">v</attribute>`],
  ])('accepts %s', async (_name, body) => {
    expect(await validateXml(xcapDiff(body), XCAP_DIFF_XSD)).toEqual({ ok: true, errors: [] });
  });

  it.each([
    ['a <document> without sel', '<document new-etag="e1"/>', "The attribute 'sel' is required"],
    ['an xcap-diff without xcap-root', '', "The attribute 'xcap-root' is required", ''],
    ['a body-not-changed with content', `<document sel="${UP}" previous-etag="e1" new-etag="e2"><body-not-changed>x</body-not-changed></document>`, "[facet 'enumeration']"],
    ['a patch next to body-not-changed', `<document sel="${UP}"><body-not-changed/><remove sel="/*/*[1]"/></document>`, 'This element is not expected'],
    ['a remove without sel', `<document sel="${UP}"><remove/></document>`, "The attribute 'sel' is required"],
    ['a selector that is no RFC 5261 XPath', `<document sel="${UP}"><remove sel="/a/b("/></document>`, "[facet 'pattern']"],
    ['an add type that is neither @attribute nor namespace::prefix', `<document sel="${UP}"><add sel="/*" type="name">v</add></document>`, "[facet 'pattern']"],
    ['an unknown element of the xcap-diff namespace', '<documents sel="x"/>', 'This element is not expected'],
  ])('rejects %s', async (_name, body, message, root?: string) => {
    const r = await validateXml(xcapDiff(body, root), XCAP_DIFF_XSD);
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toContain(message);
  });
});
