/**
 * Step 1 of online configuration (TS 24.484 clause 4.2.2.1.1; clause 7.2.1): the MCS UE initial
 * configuration, fetched without a token from the home CMS (it tells the UE where the IdMS is):
 * first the per-UE document `org.3gpp.mcptt.ue-init-config/users/<ue-id>/<ue-id>` (generated
 * from the master by the CMS), else the master `global/ue-init-config.xml`. A UE that holds it
 * (an earlier boot, the return home) keeps it.
 */
import { AUID, parseUeInitConfig, plmnsOf, type UeInitConfig } from '@mcx/documents';
import { formatDocumentSelector, XcapClient } from '@mcx/xcap';
import { classify, httpFailure } from '../ue/classify.ts';
import { newSession } from '../ue/session.ts';
import { StepError } from '../ue/states.ts';
import type { Step } from '../ue/step-runner.ts';
import type { ConfigurationContext } from './context.ts';

export function ueInitConfigSelectors(ueId: string): string[] {
  return [
    formatDocumentSelector({ auid: AUID.ueInitConfig, tree: 'users', xui: ueId, path: [ueId] }),
    formatDocumentSelector({ auid: AUID.ueInitConfig, tree: 'global', path: ['ue-init-config.xml'] }),
  ];
}

export async function fetchUeInitConfig(http: typeof fetch, cmsXcapRoot: string, ueId: string): Promise<{ sel: string; etag: string; body: string; doc: UeInitConfig }> {
  const client = new XcapClient({ xcapRoot: cmsXcapRoot, fetch: http });
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

/** TS 24.484 4.2.2.1.1 step 1: the primary system's session starts from its UE initial configuration. */
export const fetchUeInitConfigStep: Step<ConfigurationContext> = {
  name: 'ue-init-config',
  clause: 'TS 24.484 4.2.2.1.1',
  async run(ctx) {
    const { ue } = ctx;
    let session = ue.home;
    let text: string | undefined;
    if (!session) {
      const init = await fetchUeInitConfig(ue.http, ctx.system.cmsXcapRoot, ue.id);
      session = newSession(ue.user.home, 'home', init.doc, ue.http, ctx.system.cmsXcapRoot);
      ue.home = session;
      if (!ue.plmn) ue.plmn = plmnsOf(init.doc)[0] ?? '';
      text = `UE initial configuration from ${init.sel}`;
    }
    session.closed = false;
    ctx.session = session;
    return text ? { event: 'UE_INIT_CONFIG_OBTAINED', text } : undefined;
  },
};
