/** What the UE host provides to each UE (one SIP endpoint, one scheduler, the tap, policies). */
import type { discoverIdms } from '@mcx/auth';
import type { SipEndpoint, Target } from '@mcx/sip';
import type { Logger } from 'pino';
import type { UeHostConfig, UeHostSystem } from '../config/config.ts';
import type { CopyLog } from '../at-rest/copy-log.ts';
import type { Lanes } from '../tap/lanes.ts';
import type { MessageLog } from '../tap/message-log.ts';
import type { PartnerSelectionPolicy, ProfileSelectionPolicy } from '../migration/policies.ts';

export type IdmsConfiguration = Awaited<ReturnType<typeof discoverIdms>>;

export interface HostServices {
  config: UeHostConfig;
  endpoint: SipEndpoint;
  log: MessageLog;
  lanes: Lanes;
  secret: Buffer;
  /** The log every UE's local copies are written to (at-rest/copy-log.ts). */
  copies: CopyLog;
  logger: Logger;
  /** The HTTP client each UE's own (tapped) client wraps (UeHostDeps.fetch, default host/http-client.ts). */
  fetch: typeof fetch;
  /** Next hop for a SIP URI (PSI → the system's transport address; else the URI's host:port). */
  route(uri: string): Target;
  /** OIDC discovery, cached per issuer (one per host, not per UE). */
  idmsConfiguration(issuer: string): Promise<IdmsConfiguration>;
  system(id: string): UeHostSystem | undefined;
  partnerPolicy: PartnerSelectionPolicy;
  profilePolicy: ProfileSelectionPolicy;
  /** Runs a procedure when one of the host's `concurrency` slots is free. */
  limit<T>(fn: () => Promise<T>): Promise<T>;
  /** A UE changed (state, documents): broadcast its snapshot. */
  changed(ueId: string): void;
}
