/**
 * Primary side of the MCS-to-MCS leg (TS 23.280 clause 10.6.3: the primary MC service server
 * "checks if the MC service user is authorized for migration" and answers the partner MC service
 * server; wire format in leg-message.ts). One pipeline of named steps:
 * 1. `identifyPartner`: the From is the PSI of a configured peer MCS (else 403 Unknown Partner);
 * 2. `readRequest`: partner-mcptt-id, primary-mcptt-id, selected-user-profile-index (else 400);
 *    the MESSAGE is answered 200 here;
 * 3. `checkHomeUser`: primary-mcptt-id is a user of this system (its domain);
 * 4. `checkShare`: this system's CMS shared the user with that partner and the share is in force;
 * 5. `checkProfile`: the selected profile is one the share allows for access;
 * 6. `sendResult`: MESSAGE to the partner MCS with migration-auth-result (and the Reason of a refusal).
 */
import { parseNameAddr, parseUri, type IncomingRequest, type Logger, type SipEndpoint } from '@mcx/sip';
import { MCPTT_INFO_CONTENT_TYPE, parseVia, targetFromUri, type Target } from '@mcx/sip';
import type { McsConfig } from '../config/config.ts';
import { Refusal } from '../refusal.ts';
import type { HomeShares } from './home-shares.ts';
import { LEG_METHOD, legBody, readOrError, reasonHeader, type LegRequest, type ReadLeg } from './leg-message.ts';
import type { LegEvent } from './leg-events.ts';

export type Peer = McsConfig['peers'][number];

export interface PrimaryDeps {
  config: McsConfig;
  psi: string;
  endpoint: SipEndpoint;
  shares: HomeShares | undefined;
  logger: Logger;
  emit: (e: LegEvent) => void;
}

export function identifyPartner(peers: readonly Peer[], req: IncomingRequest): Peer {
  let from: string;
  try {
    from = parseNameAddr(req.message.headers.get('from') ?? '').uri;
  } catch {
    throw new Refusal('unknown-partner', 'malformed From');
  }
  const peer = peers.find((p) => p.psi === from);
  if (!peer) throw new Refusal('unknown-partner', `${from} is not the MC service server of a partner MC system`);
  return peer;
}

export function checkHomeUser(config: McsConfig, r: LegRequest): void {
  let host: string;
  try {
    host = parseUri(r.primaryMcpttId).host;
  } catch {
    throw new Refusal('wrong-home-system', `primary-mcptt-id ${r.primaryMcpttId} is no SIP URI`);
  }
  if (host !== config.domain) throw new Refusal('wrong-home-system', `${r.primaryMcpttId} is not a user of ${config.systemId}`);
}

export async function checkShare(shares: HomeShares | undefined, r: LegRequest, peer: Peer, systemId: string): Promise<number[]> {
  if (!shares) throw new Refusal('migration-not-authorized', 'this MCS has no CMS to read migration authorizations from');
  const share = await shares.find(r.primaryMcpttId, peer.systemId);
  if (!share) throw new Refusal('migration-not-authorized', `${systemId} has not authorized ${r.primaryMcpttId} to migrate to ${peer.systemId}`);
  if (share.status !== 'authorized') throw new Refusal('migration-not-authorized', `the migration of ${r.primaryMcpttId} to ${peer.systemId} is ${share.status}`);
  return share.accessProfiles;
}

export function checkProfile(accessProfiles: number[], r: LegRequest, peer: Peer): void {
  if (!accessProfiles.includes(r.userProfileIndex)) {
    throw new Refusal(
      'profile-not-authorized',
      `user profile ${r.userProfileIndex} may not be used to access ${peer.systemId} (allowed: ${accessProfiles.join(', ') || 'none'})`,
    );
  }
}

/** Handles leg message 1 (the partner's request); `read`: its body as the MCS's MESSAGE handler read it. */
export async function decideForPartner(d: PrimaryDeps, req: IncomingRequest, read: ReadLeg = readOrError(req)): Promise<void> {
  let peer: Peer;
  let request: LegRequest;
  try {
    peer = identifyPartner(d.config.peers, req);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    err.toSipRefusal(`mcptt-server.${d.config.domain}`, d.config.retryAfter).respond(req);
    return;
  }
  try {
    if (read instanceof Error) throw read;
    const leg = read;
    if (!leg) throw new Error('no partner-mcptt-id, primary-mcptt-id and selected-user-profile-index');
    request = leg;
  } catch (err) {
    req.respond(400, 'Bad Request - Malformed Migration Request', { headers: { Warning: `399 mcptt-server.${d.config.domain} "${(err as Error).message.replace(/["\\\r\n]/g, ' ').slice(0, 200)}"` } });
    return;
  }
  req.respond(200, 'OK');
  d.emit({ direction: 'in', method: LEG_METHOD, peer: peer.systemId, user: request.primaryMcpttId, startLine: `${LEG_METHOD} ${d.psi} SIP/2.0`, summary: `MESSAGE migration request ${request.primaryMcpttId} as ${request.partnerMcpttId}, profile ${request.userProfileIndex}`, body: req.message.body });
  let refusal: Refusal | undefined;
  try {
    checkHomeUser(d.config, request);
    checkProfile(await checkShare(d.shares, request, peer, d.config.systemId), request, peer);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    refusal = err;
  }
  await sendResult(d, peer, request, refusal, originOf(req));
}

/**
 * Where the partner MCS that asked can be reached: when the request came through a proxy (more
 * than one Via: the SIP front of replicated MCSs, issue #17), the bottom Via is the instance that
 * sent it and waits for the decision (RFC 3261 clause 18.2.2 / RFC 3581: its received and rport
 * when present, else its sent-by), so the decision goes there rather than to the front, which
 * could pick another instance (our choice). Undefined without a proxy (the peer's configured URI).
 */
export function originOf(req: IncomingRequest): Target | undefined {
  const vias = req.message.headers.getAll('via');
  if (vias.length < 2) return undefined;
  try {
    const via = parseVia(vias[vias.length - 1]!);
    const rport = Number(via.params.get('rport'));
    const received = via.params.get('received');
    return {
      protocol: via.transport === 'TCP' ? 'tcp' : 'udp',
      host: typeof received === 'string' && received ? received : via.host,
      port: Number.isInteger(rport) && rport > 0 ? rport : (via.port ?? 5060),
    };
  } catch {
    return undefined;
  }
}

/** Leg message 2: the decision, to the partner MCS. */
export async function sendResult(d: PrimaryDeps, peer: Peer, request: LegRequest, refusal: Refusal | undefined, origin?: Target): Promise<void> {
  const body = legBody(request, refusal === undefined);
  const headers: Record<string, string> = refusal ? { Reason: reasonHeader(refusal.status, `${refusal.code}: ${refusal.detail}`) } : {};
  d.logger.info({ partner: peer.systemId, user: request.primaryMcpttId, authorized: !refusal, code: refusal?.code }, 'mcs: migration decision for a partner');
  d.emit({
    direction: 'out',
    method: LEG_METHOD,
    peer: peer.systemId,
    user: request.primaryMcpttId,
    startLine: `${LEG_METHOD} ${peer.psi} SIP/2.0`,
    summary: `MESSAGE migration-auth-result ${refusal ? `false (${refusal.code})` : 'true'}`,
    body,
  });
  const res = await d.endpoint.request({ method: LEG_METHOD, uri: peer.psi, from: `<${d.psi}>`, to: `<${peer.psi}>`, target: origin ?? targetFromUri(peer.sipUri), headers, body, contentType: MCPTT_INFO_CONTENT_TYPE });
  if (res.status >= 300) d.logger.warn({ partner: peer.systemId, status: res.status }, 'mcs: the partner MCS did not take the migration decision');
}
