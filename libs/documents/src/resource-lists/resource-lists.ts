/**
 * resource-lists document (RFC 4826 clause 3; `resource-lists.xsd`), used in the SUBSCRIBE
 * body of the subscription proxy (TS 24.484 clause 6.3.13.2.2) to list XCAP URIs.
 */
import { z } from 'zod';
import {
  attr,
  complex,
  ext3gpp,
  opt,
  reqAttr,
  text,
  type ElementCodec,
  defineDocument,
  DocumentError,
  XML_NS,
  locate,
  xsAnyUri,
  xsLanguage,
  xsString,
} from '@mcx/xml';
import { PREFERRED_PREFIXES } from '../namespaces.ts';

export const RESOURCE_LISTS_NS = 'urn:ietf:params:xml:ns:resource-lists';
export const RESOURCE_LISTS_ROOT = 'resource-lists';

const { other, otherAttrs } = ext3gpp();
const displayName = complex({ value: text(xsString), lang: attr('lang', xsLanguage, XML_NS) });

const entry = complex({ uri: reqAttr('uri', xsAnyUri), displayName: opt('display-name', displayName), other, otherAttrs });
const entryRef = complex({ ref: reqAttr('ref', xsAnyUri), displayName: opt('display-name', displayName), other, otherAttrs });
const external = complex({ anchor: attr('anchor', xsAnyUri), displayName: opt('display-name', displayName), other, otherAttrs });

export type ResourceListItem =
  | { kind: 'entry'; entry: z.infer<typeof entry.schema> }
  | { kind: 'entry-ref'; entryRef: z.infer<typeof entryRef.schema> }
  | { kind: 'external'; external: z.infer<typeof external.schema> }
  | { kind: 'list'; list: ResourceList };

export interface ResourceList {
  name?: string | undefined;
  displayName?: z.infer<typeof displayName.schema> | undefined;
  /** Entries, entry-refs, externals and nested lists, in document order (the schema's sequence of choices). */
  items?: ResourceListItem[] | undefined;
  other?: string[] | undefined;
  otherAttrs?: Record<string, string> | undefined;
}

const itemSchema: z.ZodType<ResourceListItem> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('entry'), entry: entry.schema }),
    z.strictObject({ kind: z.literal('entry-ref'), entryRef: entryRef.schema }),
    z.strictObject({ kind: z.literal('external'), external: external.schema }),
    z.strictObject({ kind: z.literal('list'), list: listSchema }),
  ]),
);
const listHead = complex({ name: attr('name', xsString), displayName: opt('display-name', displayName), other, otherAttrs });
const listSchema: z.ZodType<ResourceList> = z.lazy(() =>
  z.strictObject({
    name: z.string().optional(),
    displayName: displayName.schema.optional(),
    items: z.array(itemSchema).min(1).optional(),
    other: other.schema,
    otherAttrs: otherAttrs.schema,
  }),
);

/** listType is recursive and ordered across kinds, so it is coded by hand around the generic parts. */
const listCodec: ElementCodec<ResourceList> = {
  schema: listSchema,
  decode(el, path, options) {
    const items: ResourceListItem[] = [];
    const head = el.cloneNode(false) as typeof el;
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) {
        head.appendChild(c.cloneNode(true));
        continue;
      }
      const ch = c as typeof el;
      const p = `${path}/${ch.tagName}`;
      if (ch.namespaceURI === RESOURCE_LISTS_NS) {
        if (ch.localName === 'entry') items.push({ kind: 'entry', entry: entry.decode(ch, p, options) });
        else if (ch.localName === 'entry-ref') items.push({ kind: 'entry-ref', entryRef: entryRef.decode(ch, p, options) });
        else if (ch.localName === 'external') items.push({ kind: 'external', external: external.decode(ch, p, options) });
        else if (ch.localName === 'list') items.push({ kind: 'list', list: listCodec.decode(ch, p, options) });
        else if (ch.localName === 'display-name') head.appendChild(ch.cloneNode(true));
        else throw new DocumentError('schema', `unexpected element <${ch.tagName}>`, locate(ch, p));
      } else {
        head.appendChild(ch.cloneNode(true));
      }
    }
    const h = listHead.decode(head, path, options);
    return { ...h, ...(items.length ? { items } : {}) };
  },
  encode(value, ns, name) {
    const { items, ...headValue } = value;
    const out = listHead.encode(headValue, ns, name);
    const others = out.children.filter((c) => 'raw' in c);
    const kept = out.children.filter((c) => !('raw' in c));
    out.children.length = 0;
    out.children.push(...kept);
    for (const it of items ?? []) {
      if (it.kind === 'entry') out.children.push(entry.encode(it.entry, ns, 'entry'));
      else if (it.kind === 'entry-ref') out.children.push(entryRef.encode(it.entryRef, ns, 'entry-ref'));
      else if (it.kind === 'external') out.children.push(external.encode(it.external, ns, 'external'));
      else out.children.push(listCodec.encode(it.list, ns, 'list'));
    }
    out.children.push(...others);
    return out;
  },
};

export const resourceListsSchema = z.strictObject({ lists: z.array(listSchema).optional() });
export type ResourceLists = z.infer<typeof resourceListsSchema>;

const rootCodec: ElementCodec<ResourceLists> = {
  schema: resourceListsSchema,
  decode(el, path, options) {
    const lists: ResourceList[] = [];
    for (let c = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === 3 && (c.textContent ?? '').trim() === '') continue;
      const ch = c as typeof el;
      if (c.nodeType === 1 && ch.localName === 'list' && ch.namespaceURI === RESOURCE_LISTS_NS) {
        lists.push(listCodec.decode(ch, `${path}/list`, options));
      } else if (c.nodeType === 1 || c.nodeType === 3) {
        throw new DocumentError('schema', `unexpected content in <resource-lists>`, locate(c, path));
      }
    }
    return lists.length ? { lists } : {};
  },
  encode(value, ns, name) {
    const out = { ns, name, attrs: [], children: [] as ReturnType<ElementCodec<unknown>['encode']>[] };
    for (const l of value.lists ?? []) out.children.push(listCodec.encode(l, ns, 'list'));
    return out;
  },
};

const document = defineDocument(RESOURCE_LISTS_NS, RESOURCE_LISTS_ROOT, rootCodec, { prefixes: PREFERRED_PREFIXES });

/** Parses a resource-lists document. @throws DocumentError */
export const parseResourceLists = (xml: string, options?: { strict?: boolean }): ResourceLists => document.parse(xml, options);
/** Serializes a resource-lists document. @throws DocumentError `invalid-model` */
export const serializeResourceLists = (doc: ResourceLists): string => document.serialize(doc);
export const resourceListsDocument = document;

/** The list of URIs of a SUBSCRIBE body (all `entry@uri` in document order, nested lists included). */
export function resourceListUris(doc: ResourceLists): string[] {
  const out: string[] = [];
  const walk = (l: ResourceList) => {
    for (const it of l.items ?? []) {
      if (it.kind === 'entry') out.push(it.entry.uri);
      else if (it.kind === 'list') walk(it.list);
    }
  };
  for (const l of doc.lists ?? []) walk(l);
  return out;
}

/** A one-list resource-lists document with one entry per URI (the subscription proxy body). */
export function resourceListsOf(uris: readonly string[]): ResourceLists {
  return { lists: [{ items: uris.map((uri) => ({ kind: 'entry' as const, entry: { uri } })) }] };
}

