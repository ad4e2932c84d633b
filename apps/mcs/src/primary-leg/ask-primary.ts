/**
 * Partner side of the MCS-to-MCS leg (TS 23.280 clause 10.6.3; wire format in leg-message.ts):
 * the partner MCS sends the migration request to the primary MCS of the user's home system and
 * waits for the primary's decision (leg message 2), which it then gives the UE. A refusal keeps
 * the primary's cause and names the primary in the Warning (the deciding party); no answer within
 * `peerTimeout` is a 503 + Retry-After for the UE.
 */
import { MCPTT_INFO_CONTENT_TYPE, parseNameAddr, targetFromUri, type IncomingRequest, type Logger, type SipEndpoint } from '@mcx/sip';
import type { McsConfig } from '../config/config.ts';
import { Refusal } from '../refusal.ts';
import type { Peer } from './decide-for-partner.ts';
import type { LegEvent } from './leg-events.ts';
import { LEG_METHOD, legBody, readOrError, reasonText, type LegRequest, type LegResult, type ReadLeg } from './leg-message.ts';

const keyOf = (peer: string, r: LegRequest) => `${peer}\n${r.primaryMcpttId}\n${r.partnerMcpttId}`;
/** The Warning agent of a peer MCS, as that MCS writes it (`mcptt-server.<domain>`). */
const agentOf = (psi: string) => `mcptt-server.${psi.replace(/^sips?:[^@]*@/, '').replace(/[;>].*$/, '')}`;
const TIMEOUT = 'the primary MC service server did not decide in time';

export class PrimaryLeg {
  readonly #waiting = new Map<string, Set<(r: LegResult) => void>>();

  constructor(
    private readonly d: { config: McsConfig; psi: string; endpoint: SipEndpoint; logger: Logger; emit: (e: LegEvent) => void },
  ) {}

  /** The peer MCS of the user's home system. @throws Refusal */
  peerOf(homeSystem: string): Peer {
    const peer = this.d.config.peers.find((p) => p.systemId === homeSystem);
    if (!peer) throw new Refusal('wrong-home-system', `no MC service server of ${homeSystem} is configured here`);
    return peer;
  }

  /** Asks the primary MCS; resolves when it authorized. @throws Refusal (its cause, or unavailable) */
  async ask(homeSystem: string, request: LegRequest): Promise<void> {
    const peer = this.peerOf(homeSystem);
    const key = keyOf(peer.systemId, request);
    const { config, endpoint } = this.d;
    let settle!: (r: LegResult) => void;
    const decided = new Promise<LegResult>((resolve) => (settle = resolve));
    const set = this.#waiting.get(key) ?? new Set();
    set.add(settle);
    this.#waiting.set(key, set);
    const timer = endpoint.scheduler.schedule(config.peerTimeout * 1000, () => settle({ ...request, authorized: false, reason: `unavailable: ${TIMEOUT}` }));
    try {
      const body = legBody(request);
      this.d.emit({ direction: 'out', method: LEG_METHOD, peer: peer.systemId, user: request.primaryMcpttId, startLine: `${LEG_METHOD} ${peer.psi} SIP/2.0`, summary: `MESSAGE migration request ${request.primaryMcpttId} as ${request.partnerMcpttId}, profile ${request.userProfileIndex}`, body });
      const res = await endpoint.request({ method: LEG_METHOD, uri: peer.psi, from: `<${this.d.psi}>`, to: `<${peer.psi}>`, target: targetFromUri(peer.sipUri), body, contentType: MCPTT_INFO_CONTENT_TYPE });
      if (res.status >= 300) {
        if (res.local || res.status >= 500) throw new Refusal('unavailable', `the primary MC service server of ${peer.systemId} answered ${res.status} ${res.reason}`);
        throw new Refusal('migration-not-authorized', `the primary MC service server of ${peer.systemId} answered ${res.status} ${res.reason}`, agentOf(peer.psi));
      }
      const result = await decided;
      if (result.authorized) return;
      const text = result.reason ?? 'migration-not-authorized: refused by the primary MC service server';
      const code = Refusal.codeOf(text) ?? 'migration-not-authorized';
      const detail = text.slice(text.indexOf(':') + 1).trim() || text;
      // The primary decided (its cause, its name in the Warning), unless it never answered.
      throw new Refusal(code, detail, detail === TIMEOUT ? undefined : agentOf(peer.psi));
    } finally {
      timer.cancel();
      set.delete(settle);
      if (set.size === 0) this.#waiting.delete(key);
    }
  }

  /** Leg message 2 from a primary MCS; `read`: its body as the MCS's MESSAGE handler read it. */
  receiveResult(req: IncomingRequest, peer: Peer, read: ReadLeg = readOrError(req)): void {
    const leg = read instanceof Error ? undefined : read;
    if (!leg || leg.result === undefined) {
      req.respond(400, 'Bad Request - Malformed Migration Result');
      return;
    }
    const waiting = this.#waiting.get(keyOf(peer.systemId, leg));
    if (!waiting) {
      req.respond(481, 'No Pending Migration Request');
      return;
    }
    req.respond(200, 'OK');
    const reason = reasonText(req.message.headers.get('reason') ?? undefined);
    this.d.emit({ direction: 'in', method: LEG_METHOD, peer: peer.systemId, user: leg.primaryMcpttId, startLine: `${LEG_METHOD} ${this.d.psi} SIP/2.0`, summary: `MESSAGE migration-auth-result ${leg.result}${reason ? ` (${Refusal.codeOf(reason) ?? 'refused'})` : ''}`, body: req.message.body });
    for (const settle of waiting) settle({ ...leg, authorized: leg.result, reason });
  }
}

/** From a MESSAGE's From: the PSI. */
export function fromPsi(req: IncomingRequest): string | undefined {
  try {
    return parseNameAddr(req.message.headers.get('from') ?? '').uri;
  } catch {
    return undefined;
  }
}
