/**
 * The MCS UE initial configuration (TS 24.484 clause 7.2): the master document
 * `org.3gpp.mcptt.ue-init-config/global/ue-init-config.xml` is the template (TS 24.484 clause
 * 7.2.1.0: "generated from the master"); the per-UE document
 * `org.3gpp.mcptt.ue-init-config/users/<ue-id>/<ue-id>` (TS 24.484 clause 7.2.1.1 as cited) is
 * generated from it on the first GET, with `<mcptt-UE-id><Instance-ID-URN>` = that UE ID.
 * Both are readable without an access token (the UE needs them to find the IdMS).
 */
import { AUID, parseUeInitConfig, serializeUeInitConfig } from '@mcx/documents';
import { EtagMismatch, formatDocumentSelector, type DocumentSelector, type StoredDocument } from '@mcx/xcap';
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

/** Creates the per-UE document from the master when it does not exist yet. */
export async function ensurePerUeDocument(store: CmsDocumentStore, d: DocumentSelector): Promise<StoredDocument | undefined> {
  const selector = formatDocumentSelector(d);
  const existing = store.peek(selector);
  if (existing) return existing;
  const ueId = perUeId(d);
  const master = store.peek(UE_INIT_CONFIG_MASTER_SELECTOR);
  if (ueId === undefined || master === undefined) return undefined;
  const model = parseUeInitConfig(master.body);
  const body = serializeUeInitConfig({ ...model, instanceIdUrn: ueId, mcpttUeId: { instanceIdUrn: [ueId] } });
  try {
    return await store.put(selector, body, { ifEtag: null, contentType: MIME, cause: 'generated' });
  } catch (err) {
    if (err instanceof EtagMismatch) return store.peek(selector); // generated concurrently
    throw err;
  }
}
