/**
 * Where a UE reaches each server of a running system: the transport addresses behind the PSIs that
 * documents carry (`sip:cms@<domain>` ...). An IMS core would route a PSI to its server; the UE host
 * is given this map instead (our choice: no IMS core in the lab).
 */
export interface SystemTransportView {
  id: string;
  cmsXcapRoot: string;
  endpoints: {
    idms: { issuer: string };
    cms: { xcapRoot: string; sip: string; sipTcp: string; psi: string };
    gms: { xcapRoot: string; sip: string; sipTcp: string; psi: string };
    mcs: { sip: string; sipTcp: string; psi: string };
  };
}

interface Running {
  config: { id: string };
  idms: { issuer: string };
  cms: { xcapRoot: string; sipUri: string; sipTcpUri: string; psi: string };
  gms: { xcapRoot: string; sipUri: string; sipTcpUri: string; psi: string };
  mcs: { sipUri: string; sipTcpUri: string; psi: string };
}

export function transportViewOf(s: Running): SystemTransportView {
  return {
    id: s.config.id,
    cmsXcapRoot: s.cms.xcapRoot,
    endpoints: {
      idms: { issuer: s.idms.issuer },
      cms: { xcapRoot: s.cms.xcapRoot, sip: s.cms.sipUri, sipTcp: s.cms.sipTcpUri, psi: s.cms.psi },
      gms: { xcapRoot: s.gms.xcapRoot, sip: s.gms.sipUri, sipTcp: s.gms.sipTcpUri, psi: s.gms.psi },
      mcs: { sip: s.mcs.sipUri, sipTcp: s.mcs.sipTcpUri, psi: s.mcs.psi },
    },
  };
}
