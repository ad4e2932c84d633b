/**
 * What a UE host outside `mcx up` (`mcx ue-host`, the UE host processes of `mcx bench migration
 * --ue-hosts N`) needs to reach a running ecosystem: per MC system its CMS XCAP root and the lab's
 * PSI → transport map (the UE host's `systems`), from the endpoints `mcx up` publishes. The file is
 * either the runtime file `<dataDir>/run/endpoints.json` or what `mcx endpoints --json` printed
 * (the same `systems` entries; the runtime file also names the UEs' OIDC client, else the lab's
 * default `UE_CLIENT` is assumed).
 */
import { readFileSync } from 'node:fs';
import type { SystemEndpoints } from '@mcx/ecosystem';
import { UE_CLIENT } from '@mcx/mc-system';
import type { UeHostSystemInput } from '@mcx/ue';

export interface PublishedEndpoints {
  systems: SystemEndpoints[];
  ueClient?: { clientId: string; redirectUri: string };
}

/** The UE host's `systems` for the published endpoints (what transportViewOf gives for a system running in this process). */
export function ueHostSystemsOf(endpoints: PublishedEndpoints): UeHostSystemInput[] {
  return endpoints.systems.map((s) => ({
    id: s.id,
    cmsXcapRoot: s.cms.xcapRoot,
    endpoints: { idms: { issuer: s.idms.issuer }, cms: { ...s.cms }, gms: { ...s.gms }, mcs: { ...s.mcs } },
  }));
}

/** The UEs' OIDC client of the endpoints (runtime file), else the lab's default. */
export function ueClientOf(endpoints: PublishedEndpoints): { clientId: string; redirectUri: string } {
  return endpoints.ueClient ?? { ...UE_CLIENT };
}

/** Reads an endpoints file (runtime file or `mcx endpoints --json` output); refuses one without systems. */
export function readEndpointsFile(file: string): PublishedEndpoints {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PublishedEndpoints>;
  if (!Array.isArray(parsed.systems) || parsed.systems.length === 0 || !parsed.systems.every((s) => s?.id && s.cms?.xcapRoot && s.idms?.issuer))
    throw new Error(`${file}: not an endpoints file (expected the runtime file <dataDir>/run/endpoints.json or mcx endpoints --json output: { systems: [{ id, idms, cms, gms, mcs }] })`);
  return parsed as PublishedEndpoints;
}
