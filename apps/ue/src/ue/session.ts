/**
 * What a UE holds for the MC system it is (being) configured in: the UE initial configuration
 * that points at the system's servers, the UE's HTTP client, the tokens of its IdMS, the SIP
 * subscriptions and registration, and the metadata of its protected local copies.
 */
import type { UeInitConfig } from '@mcx/documents';
import { mcsUriOf } from '@mcx/documents';
import type { SubscriptionHandle, TimerHandle } from '@mcx/sip';

export type DocumentKind = 'ue-init-config' | 'ue-config' | 'user-profile' | 'service-config' | 'group' | 'other';

export interface DocumentMeta {
  system: string;
  server: 'cms' | 'gms';
  /** The selector as subscribed / notified (relative to the server's XCAP root). */
  sel: string;
  kind: DocumentKind;
  etag: string;
  updatedAt: string;
  version?: number;
  /** User profile: index, name, pre-selected. */
  profile?: { index: number; name: string | undefined; preSelected: boolean };
}

export interface Tokens {
  accessToken: string;
  refreshToken?: string | undefined;
  expiresAt: number;
}

export interface SystemSession {
  systemId: string;
  role: 'home' | 'partner';
  initConfig: UeInitConfig;
  idmsIssuer: string;
  cmsXcapRoot: string;
  gmsXcapRoot: string | undefined;
  cmsPsi: string | undefined;
  gmsPsi: string | undefined;
  mcsPsi: string | undefined;
  /** The UE's HTTP client (tap/http-tap.ts) for this system's IdMS, CMS and GMS. */
  http: typeof fetch;
  tokens?: Tokens;
  mcpttId?: string;
  cms?: SubscriptionHandle;
  gms?: SubscriptionHandle;
  registered: boolean;
  renewTimer?: TimerHandle;
  /** Set when the session ended (its NOTIFYs are ignored). */
  closed?: boolean;
  /** For a partner session: the primary-configured profile used for access. */
  accessProfile?: { index: number; sel: string };
}

export const kindOf = (sel: string): DocumentKind => {
  const auid = sel.split('/')[0];
  switch (auid) {
    case 'org.3gpp.mcptt.ue-init-config': return 'ue-init-config';
    case 'org.3gpp.mcptt.ue-config': return 'ue-config';
    case 'org.3gpp.mcptt.user-profile': return 'user-profile';
    case 'org.3gpp.mcptt.service-config': return 'service-config';
    case 'org.openmobilealliance.groups': return 'group';
    default: return 'other';
  }
};

/** IdMS issuer from the UE initial configuration's endpoints (they share the issuer's origin, libs/auth). */
export function issuerOf(doc: UeInitConfig): string {
  const a = doc.onNetwork?.appServerInfo;
  const u = a?.idmsTokenEndpoint ?? a?.idmsAuthEndpoint;
  if (!u) throw new Error('the UE initial configuration has no IdMS endpoint');
  return new URL(u).origin;
}

export function newSession(systemId: string, role: 'home' | 'partner', initConfig: UeInitConfig, http: typeof fetch, fallbackCmsRoot?: string): SystemSession {
  const on = initConfig.onNetwork;
  const cmsXcapRoot = on?.cmsXcapRootUri ?? fallbackCmsRoot;
  if (!cmsXcapRoot) throw new Error(`the UE initial configuration of ${systemId} has no CMS-XCAP-root-URI`);
  return {
    systemId,
    role,
    initConfig,
    idmsIssuer: issuerOf(initConfig),
    cmsXcapRoot: cmsXcapRoot.replace(/\/+$/, ''),
    gmsXcapRoot: on?.gmsXcapRootUri?.replace(/\/+$/, ''),
    cmsPsi: on?.appServerInfo?.cms,
    gmsPsi: on?.gmsUri ?? on?.appServerInfo?.gms,
    mcsPsi: mcsUriOf(initConfig),
    http,
    registered: false,
  };
}
