/**
 * The MCS UE initial configuration (TS 24.484 clause 7.2): the master document
 * `org.3gpp.mcptt.ue-init-config/global/ue-init-config.xml` is the template (TS 24.484 clause
 * 7.2.1.0: "generated from the master"); the per-UE document
 * `org.3gpp.mcptt.ue-init-config/users/<ue-id>/<ue-id>` (TS 24.484 clause 7.2.1.1 as cited) is
 * generated from it on each GET (not stored), with `<mcptt-UE-id><Instance-ID-URN>` = that UE ID.
 * Both are readable without an access token (the UE needs them to find the IdMS).
 */
import { AUID, parseUeInitConfig, serializeUeInitConfig } from '@mcx/documents';
import { computeEtag, formatDocumentSelector, type DocumentSelector, type StoredDocument } from '@mcx/xcap';
import type { CmsDocumentStore } from '../store/document-store.ts';

export const UE_INIT_CONFIG_MASTER_SELECTOR = formatDocumentSelector({ auid: AUID.ueInitConfig, tree: 'global', path: ['ue-init-config.xml'] });
const MIME = 'application/vnd.3gpp.mcptt-ue-init-config+xml';

/** The UE ID of a per-UE document selector, when it is one (`users/<ue-id>/<ue-id>`, `sip:` prefix optional in the XUI). */
export function perUeId(d: DocumentSelector): string | undefined {
  if (d.auid !== AUID.ueInitConfig || d.tree !== 'users' || d.path.length !== 1 || !d.xui) return undefined;
  const name = d.path[0]!;
  const xui = d.xui.startsWith('sip:') ? d.xui.slice(4) : d.xui;
  if (name !== d.xui && name !== xui) return undefined;
  return /^[\w.:@%+-]{1,200}$/.test(name) ? name : undefined;
}

/** The master parsed once per version (the store keeps one object per version), not on every GET. */
const parsedMasters = new WeakMap<StoredDocument, ReturnType<typeof parseUeInitConfig>>();
/** The per-UE documents generated from one version of the master (one object per UE and master version). */
const perUeDocuments = new WeakMap<StoredDocument, Map<string, StoredDocument>>();
function masterModel(master: StoredDocument): ReturnType<typeof parseUeInitConfig> {
  let model = parsedMasters.get(master);
  if (!model) parsedMasters.set(master, (model = parseUeInitConfig(master.body)));
  return model;
}

/**
 * The per-UE document: the stored one when the administrator created it, else generated from the
 * master and never stored (a GET does not write, RFC 9110 clause 9.2.1: anonymous reads of random
 * UE IDs must not grow the store); the generated document is kept in memory per master version
 * (bounded, see below), so repeated GETs do not serialize it again. Its strong ETag is the hash of the generated
 * body (RFC 4825 clause 7.11), so it changes exactly when the master does; its version is the
 * master's.
 */
export function perUeDocument(store: CmsDocumentStore, d: DocumentSelector, selector = formatDocumentSelector(d)): StoredDocument | undefined {
  const existing = store.peek(selector);
  if (existing) return existing;
  const ueId = perUeId(d);
  const master = store.peek(UE_INIT_CONFIG_MASTER_SELECTOR);
  if (ueId === undefined || master === undefined) return undefined;
  let generated = perUeDocuments.get(master);
  if (!generated) perUeDocuments.set(master, (generated = new Map()));
  let doc = generated.get(selector);
  if (!doc) {
    const model = masterModel(master);
    const body = serializeUeInitConfig({ ...model, instanceIdUrn: ueId, mcpttUeId: { instanceIdUrn: [ueId] } });
    doc = { selector, body, etag: computeEtag(body), version: master.version, contentType: MIME, updatedAt: master.updatedAt };
    // Bounded (our choice): a client inventing UE IDs costs a generation each, as without the cache.
    if (generated.size >= 4096) generated.delete(generated.keys().next().value!);
    generated.set(selector, doc);
  }
  return doc;
}
