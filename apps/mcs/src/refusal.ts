/**
 * A refused (or deferred) authorization of the MCS, by cause, rendered as @mcx/sip's SipRefusal:
 * 403 with a reason phrase naming the cause and a `Warning: 399` (RFC 3261 clause 20.43,
 * "miscellaneous warning") carrying the detail; 503 + Retry-After when a server this MCS
 * depends on (IdMS keys, CMS over CSC-5) is unreachable, so the UE retries later.
 */
import { SipRefusal } from '@mcx/sip';

export type RefusalCode =
  | 'no-mcptt-info'
  | 'no-access-token'
  | 'invalid-token'
  | 'insufficient-scope'
  | 'no-mcptt-id'
  | 'migration-required'
  | 'bad-migration-request'
  | 'migration-not-authorized'
  | 'profile-not-authorized'
  | 'wrong-home-system'
  | 'unknown-partner'
  | 'unavailable';

const PHRASES: Record<RefusalCode, string> = {
  'no-mcptt-info': 'Forbidden - No mcptt-info',
  'no-access-token': 'Forbidden - No Access Token',
  'invalid-token': 'Forbidden - Invalid Access Token',
  'insufficient-scope': 'Forbidden - Insufficient Scope',
  'no-mcptt-id': 'Forbidden - No MCPTT ID',
  'migration-required': 'Forbidden - Migration Service Authorization Required',
  'bad-migration-request': 'Forbidden - Malformed Migration Request',
  'migration-not-authorized': 'Forbidden - Migration Not Authorized',
  'profile-not-authorized': 'Forbidden - User Profile Not Authorized For Migration',
  'wrong-home-system': 'Forbidden - Home System Mismatch',
  'unknown-partner': 'Forbidden - Unknown Partner MC System',
  unavailable: 'Service Unavailable',
};

export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly code: RefusalCode,
    readonly detail: string,
    /** The server that decided, when not this one (the primary MCS of a migration: its host in the Warning). */
    readonly decidedBy?: string,
  ) {
    super(`${code}: ${detail}`);
  }

  /** The code of a `<code>: <detail>` text (a Warning or Reason text), if it is one of ours. */
  static codeOf(text: string): RefusalCode | undefined {
    const code = text.split(':')[0]!.trim();
    return code in PHRASES ? (code as RefusalCode) : undefined;
  }

  get status(): number {
    return this.code === 'unavailable' ? 503 : 403;
  }

  get reasonPhrase(): string {
    return PHRASES[this.code];
  }

  /** The SIP response (403 / 503) for this refusal; `warnAgent` names this MCS in the Warning. */
  toSipRefusal(warnAgent: string, retryAfter: number): SipRefusal {
    const text = `${this.code}: ${this.detail.replace(/["\\\r\n]/g, ' ').slice(0, 200)}`;
    return new SipRefusal(this.status, this.reasonPhrase, {
      warning: { code: 399, agent: this.decidedBy ?? warnAgent, text },
      ...(this.status === 503 ? { retryAfter } : {}),
    });
  }
}
