/**
 * The form view of an MCPTT user profile document (TS 24.484 clause 8.3, user profile): read the
 * fields the console edits from the XML, and write a change back into the XML, leaving everything
 * else as it is (the browser's DOMParser and XMLSerializer). Elements:
 * `<ProfileName>`, `<Pre-selected-indication/>` (after ProfileName), the groups as
 * `OnNetwork/MCPTTGroupInfo/entry/uri-entry` (+ `display-name`), and the partner MC systems as
 * `MigratablePartnerMCPTTSystemInfo/PartnerMCPTTSystemId` (TS 24.484 clause 4.2.2.1.2.1; read only).
 */
export interface ProfileFields {
  name: string;
  preSelected: boolean;
  groups: { uri: string; displayName?: string }[];
  partners: string[];
}

export type ProfileEdit =
  | { field: 'name'; value: string }
  | { field: 'preSelected'; value: boolean }
  | { field: 'addGroup'; uri: string }
  | { field: 'removeGroup'; uri: string };

const parse = (xml: string): Document => {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const error = doc.getElementsByTagName('parsererror')[0];
  if (error) throw new Error(`not well-formed XML: ${error.textContent?.trim().split('\n')[0] ?? ''}`);
  return doc;
};
const children = (parent: Element, name: string) => [...parent.children].filter((c) => c.localName === name);
const all = (doc: Document, name: string) => [...doc.getElementsByTagNameNS('*', name)];
const text = (el: Element | undefined) => el?.textContent?.trim() ?? '';

export function readProfile(xml: string): ProfileFields {
  const doc = parse(xml);
  const root = doc.documentElement;
  const groups = all(doc, 'MCPTTGroupInfo').flatMap((info) =>
    children(info, 'entry').map((e) => {
      const displayName = text(children(e, 'display-name')[0]);
      return { uri: text(children(e, 'uri-entry')[0]), ...(displayName ? { displayName } : {}) };
    }),
  );
  return {
    name: text(children(root, 'ProfileName')[0]),
    preSelected: children(root, 'Pre-selected-indication').length > 0,
    groups,
    partners: all(doc, 'MigratablePartnerMCPTTSystemInfo').map((p) => text(p.getElementsByTagNameNS('*', 'PartnerMCPTTSystemId')[0])),
  };
}

/** Applies one form change to the XML; throws when the document has no place for it. */
export function applyProfileEdit(xml: string, edit: ProfileEdit): string {
  const doc = parse(xml);
  const root = doc.documentElement;
  const ns = root.namespaceURI;
  const make = (name: string, value?: string) => {
    const el = doc.createElementNS(ns, name);
    if (value !== undefined) el.textContent = value;
    return el;
  };
  const profileName = children(root, 'ProfileName')[0];
  switch (edit.field) {
    case 'name':
      if (!profileName) throw new Error('the document has no <ProfileName>');
      profileName.textContent = edit.value;
      break;
    case 'preSelected': {
      const current = children(root, 'Pre-selected-indication')[0];
      if (!edit.value) current?.remove();
      else if (!current) {
        if (!profileName) throw new Error('the document has no <ProfileName> to put <Pre-selected-indication/> after');
        const indent = profileName.previousSibling?.nodeType === 3 ? profileName.previousSibling.textContent : '';
        profileName.after(doc.createTextNode(indent ?? ''), make('Pre-selected-indication'));
      }
      break;
    }
    case 'addGroup': {
      const info = all(doc, 'MCPTTGroupInfo')[0];
      if (!info) throw new Error('the document has no <OnNetwork><MCPTTGroupInfo> to add a group to');
      const entry = make('entry');
      entry.append(make('uri-entry', edit.uri));
      info.append(entry);
      break;
    }
    case 'removeGroup':
      for (const info of all(doc, 'MCPTTGroupInfo'))
        for (const e of children(info, 'entry')) if (text(children(e, 'uri-entry')[0]) === edit.uri) e.remove();
      break;
  }
  // Some browsers write the XML declaration back, some drop it: keep the original's, once.
  const declaration = /^<\?xml[^>]*\?>\s*/.exec(xml)?.[0] ?? '';
  const out = new XMLSerializer().serializeToString(doc).replace(/^<\?xml[^>]*\?>\s*/, '');
  return declaration + out;
}

/** Which form field a schema error is about (its text names the element), if any. */
export function fieldOfError(detail: string): 'name' | 'preSelected' | 'groups' | undefined {
  if (/ProfileName/.test(detail)) return 'name';
  if (/Pre-selected-indication/.test(detail)) return 'preSelected';
  if (/MCPTTGroupInfo|uri-entry|display-name|\bentry\b/.test(detail)) return 'groups';
  return undefined;
}
