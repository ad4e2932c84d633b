/**
 * Step 1 of online configuration (TS 24.484 clause 4.2.2.1.1; clause 7.2.1): the MCS UE initial
 * configuration, fetched without a token from the home CMS (it tells the UE where the IdMS is):
 * first the per-UE document `org.3gpp.mcptt.ue-init-config/users/<ue-id>/<ue-id>` (generated
 * from the master by the CMS), else the master `global/ue-init-config.xml`.
 */
import { AUID, parseUeInitConfig, type UeInitConfig } from '@mcx/documents';
import { formatDocumentSelector, XcapClient } from '@mcx/xcap';
import { classify, httpFailure } from '../ue/classify.ts';
import { StepError } from '../ue/states.ts';

export function ueInitConfigSelectors(ueId: string): string[] {
  return [
    formatDocumentSelector({ auid: AUID.ueInitConfig, tree: 'users', xui: ueId, path: [ueId] }),
    formatDocumentSelector({ auid: AUID.ueInitConfig, tree: 'global', path: ['ue-init-config.xml'] }),
  ];
}

export async function fetchUeInitConfig(cmsXcapRoot: string, ueId: string): Promise<{ sel: string; etag: string; body: string; doc: UeInitConfig }> {
  const client = new XcapClient({ xcapRoot: cmsXcapRoot });
  for (const sel of ueInitConfigSelectors(ueId)) {
    let res;
    try {
      res = await client.get(sel);
    } catch (err) {
      throw classify('ue-init-config', err);
    }
    if (res.status === 404) continue;
    if (res.status !== 200) throw httpFailure('ue-init-config', res.status, `GET ${sel}`);
    try {
      return { sel, etag: res.etag ?? '', body: res.body, doc: parseUeInitConfig(res.body) };
    } catch (err) {
      throw new StepError('ue-init-config', `malformed UE initial configuration: ${(err as Error).message}`, false);
    }
  }
  throw new StepError('ue-init-config', `no UE initial configuration at ${cmsXcapRoot}`, false);
}
