import type { UeInitConfig } from '../ue-init-config/ue-init-config.ts';

export interface UeInitConfigInput {
  /** Identity of the MC system this configuration points at (written as the document name). */
  systemId: string;
  /** IMS domain of the MC system, e.g. `mcx-a.example.net`. */
  domain: string;
  /** PLMN ids (MCC+MNC digits): the HPLMN and the VPLMNs where the service is offered. */
  plmns: { hplmn: string; vplmns?: readonly string[] };
  /** IdMS endpoints (TS 24.482 clause 6.1). */
  idms: { authEndpoint: string; tokenEndpoint: string };
  /** CMS: XCAP root and SIP URI (PSI of the subscription proxy). */
  cms: { xcapRoot: string; sipUri: string };
  /** GMS: XCAP root and SIP URI (PSI). */
  gms: { xcapRoot: string; sipUri: string };
  kmsUri?: string;
  httpProxy?: string;
  /** MC service server PSI (written in on-network/anyExt/MCPTT-Service-Details/Server-URI). */
  mcsUri: string;
  /** UE instance id (urn:uuid:...), absent for a master document. */
  ueId?: string;
  defaultProfile?: { userId: string; index: number };
  /** Integrity/confidentiality protection of the UE's stored configuration (TS 24.484 clause 7.2.2.1). */
  protection?: { integrity: boolean; confidentiality: boolean };
  withOffNetwork?: boolean;
}

/** A realistic MCS UE initial configuration document (TS 24.484 clause 7.2). */
export function buildUeInitConfig(i: UeInitConfigInput): UeInitConfig {
  const service = { mcpttToConRef: 'mcptt-apn', mcCommonCoreToConRef: 'mc-core-apn', mcIdToConRef: 'mc-id-apn' };
  return {
    domain: i.domain,
    ...(i.ueId ? { instanceIdUrn: i.ueId, mcpttUeId: { instanceIdUrn: [i.ueId] } } : {}),
    name: [{ value: `MCX initial configuration (${i.systemId})`, lang: 'en' }],
    ...(i.defaultProfile ? { defaultUserProfile: { userId: i.defaultProfile.userId, userProfileIndex: i.defaultProfile.index } } : {}),
    onNetwork: {
      timers: { t100: 2, t101: 3, t103: 2, t104: 5, t132: 2 },
      hplmn: {
        plmn: i.plmns.hplmn,
        service,
        ...(i.plmns.vplmns?.length ? { vplmn: i.plmns.vplmns.map((plmn) => ({ plmn, service })) } : {}),
      },
      appServerInfo: {
        idmsAuthEndpoint: i.idms.authEndpoint,
        idmsTokenEndpoint: i.idms.tokenEndpoint,
        httpProxy: i.httpProxy ?? i.cms.xcapRoot,
        gms: i.gms.sipUri,
        cms: i.cms.sipUri,
        kms: i.kmsUri ?? `https://kms.${i.domain}/`,
        tlsTunnelAuthMethod: { mutualAuthentication: false },
      },
      gmsUri: i.gms.sipUri,
      groupCreationXui: `sip:group-creation@${i.domain}`,
      gmsXcapRootUri: i.gms.xcapRoot,
      cmsXcapRootUri: i.cms.xcapRoot,
      integrityProtectionEnabled: i.protection?.integrity ?? false,
      confidentialityProtectionEnabled: i.protection?.confidentiality ?? false,
      anyExt: { mcpttServiceDetails: { serverUri: i.mcsUri } },
    },
    ...(i.withOffNetwork
      ? {
          offNetwork: {
            timers: {
              tfg1: 4000, tfg2: 40, tfg3: 4000, tfg4: 30, tfg5: 5, tfg11: 4000, tfg12: 4000, tfg13: 3, tfg14: 3,
              tfp1: 4000, tfp2: 5, tfp3: 4000, tfp4: 30, tfp5: 4000, tfp6: 60, tfp7: 5,
              tfb1: 4000, tfb2: 5, tfb3: 5, t201: 40, t203: 4, t204: 4, t205: 4, t230: 10, t233: 20, tfe1: 4000, tfe2: 5,
            },
            counters: { cfp1: 3, cfp3: 3, cfp4: 3, cfp6: 3, cfg11: 3, cfg12: 3, c201: 3, c204: 3, c205: 3 },
          },
        }
      : {}),
  };
}

/** The MC service server PSI of a UE initial configuration, if present. */
export function mcsUriOf(doc: UeInitConfig): string | undefined {
  return doc.onNetwork?.anyExt?.mcpttServiceDetails?.serverUri;
}

/** All PLMN ids of a UE initial configuration (HPLMN first, then VPLMNs): the key of partner selection. */
export function plmnsOf(doc: UeInitConfig): string[] {
  const h = doc.onNetwork?.hplmn;
  return h ? [h.plmn, ...(h.vplmn ?? []).map((v) => v.plmn)] : [];
}
