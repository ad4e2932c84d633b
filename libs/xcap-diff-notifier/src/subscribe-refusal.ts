/**
 * Why a SUBSCRIBE for xcap-diff is refused, by code, rendered as @mcx/sip's SipRefusal: the
 * status with a reason phrase naming the cause and `Warning: 399 <agent> "<code>: <detail>"`
 * (RFC 3261 clause 20.43), as the MCS does for its refusals. A token that cannot be checked now
 * is a 503 with Retry-After (RFC 3261 clause 21.5.4) so the UE retries.
 */
import type { TokenError } from '@mcx/auth';
import { SipRefusal } from '@mcx/sip';

export type SubscribeRefusalCode =
  | 'malformed-resource-list'
  | 'too-many-resources'
  | 'no-resource-list'
  | 'not-a-document'
  | 'malformed-mcptt-info'
  | 'no-access-token'
  | 'invalid-token'
  | 'insufficient-scope'
  | 'no-mcptt-id'
  | 'not-authorized'
  | 'unavailable';

const RESPONSES: Record<SubscribeRefusalCode, [status: number, reasonPhrase: string]> = {
  'malformed-resource-list': [400, 'Bad Request - Malformed resource-lists'],
  'too-many-resources': [400, 'Bad Request - Too Many Resources'],
  'no-resource-list': [400, 'Bad Request - No Resource List'],
  'not-a-document': [400, 'Bad Request - Not An XCAP Document URI'],
  'malformed-mcptt-info': [400, 'Bad Request - Malformed mcptt-info'],
  'no-access-token': [403, 'Forbidden - No Access Token'],
  'invalid-token': [403, 'Forbidden - Invalid Access Token'],
  'insufficient-scope': [403, 'Forbidden - Insufficient Scope'],
  'no-mcptt-id': [403, 'Forbidden - No MCPTT ID'],
  'not-authorized': [403, 'Forbidden - Not Authorized For Document'],
  unavailable: [503, 'Service Unavailable'],
};

export class SubscribeRefusal extends Error {
  override readonly name = 'SubscribeRefusal';
  constructor(
    readonly code: SubscribeRefusalCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }

  get status(): number {
    return RESPONSES[this.code][0];
  }

  /** The SIP response; `warnAgent` names this server in the Warning header. */
  toSipRefusal(warnAgent: string, retryAfter: number): SipRefusal {
    const [status, reasonPhrase] = RESPONSES[this.code];
    return new SipRefusal(status, reasonPhrase, {
      warning: { code: 399, agent: warnAgent, text: `${this.code}: ${this.detail.slice(0, 200)}` },
      ...(status === 503 ? { retryAfter } : {}),
    });
  }
}

/**
 * The refusal for an access token that failed verification (TS 24.484 clause 6.3.13.2.2 and
 * TS 24.481 clause 6.3.13: the token in mcptt-info authenticates the subscriber): 503 when the
 * IdMS keys are unreachable, else 403 naming the token problem.
 */
export function tokenRefusal(e: TokenError): SubscribeRefusal {
  switch (e.code) {
    case 'jwks-unavailable':
      return new SubscribeRefusal('unavailable', `IdMS keys unavailable: ${e.message}`);
    case 'missing':
      return new SubscribeRefusal('no-access-token', e.message);
    case 'insufficient-scope':
      return new SubscribeRefusal('insufficient-scope', e.message);
    default:
      return new SubscribeRefusal('invalid-token', `${e.code}: ${e.message}`);
  }
}
