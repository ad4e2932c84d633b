/**
 * The MC service server to MC service server leg of migration service authorization (TS 23.280
 * clause 10.6.3: the request goes "from the partner MC service server to the primary MC service
 * server", which answers with the result). TS 24.379 clause 7A's method for this leg was not
 * available to us; OUR CHOICE is SIP MESSAGE (RFC 3428) with an mcptt-info body, both ways:
 *
 * 1. partner → primary: MESSAGE to the primary MCS PSI, From = the partner MCS PSI, with
 *    `partner-mcptt-id`, `primary-mcptt-id`, `selected-user-profile-index/user-profile-index`
 *    in `<anyExt>` of `<mcptt-Params>`; answered 200 OK at once (RFC 3428 clause 7: a 2xx to a
 *    MESSAGE carries no body, so the decision cannot travel in the response);
 * 2. primary → partner: MESSAGE to the partner MCS PSI with the same three elements plus
 *    `migration-auth-result` (true / false); a refusal names its cause in a Reason header
 *    (RFC 3326: `Reason: SIP;cause=403;text="<code>: <detail>"`). Answered 200 OK.
 *
 * The element names are the MCPTT counterparts of TS 24.281's mcvideoinfo (inferred,
 * libs/documents/src/migration-names.ts).
 */
import { migrationAnyExt, migrationInfoOf, parseMcpttInfo, serializeMcpttInfo, type MigrationInfo } from '@mcx/documents';
import { MCPTT_INFO_CONTENT_TYPE, findPart, parseBodyParts, type SipRequest } from '@mcx/sip';

export const LEG_METHOD = 'MESSAGE';

export interface LegRequest {
  partnerMcpttId: string;
  primaryMcpttId: string;
  userProfileIndex: number;
}

export interface LegResult extends LegRequest {
  authorized: boolean;
  /** `<code>: <detail>` of a refusal (the Reason text). */
  reason?: string | undefined;
}

/** The mcptt-info body of leg message 1 (`result` absent) or 2. */
export function legBody(r: LegRequest, result?: boolean): string {
  const m: MigrationInfo = { partnerMcpttId: r.partnerMcpttId, primaryMcpttId: r.primaryMcpttId, selectedUserProfileIndex: r.userProfileIndex };
  if (result !== undefined) m.migrationAuthResult = result;
  return serializeMcpttInfo({ params: { anyExt: migrationAnyExt(m) } });
}

/** RFC 3326 Reason header value for a refusal text. */
export function reasonHeader(status: number, text: string): string {
  return `SIP;cause=${status};text="${text.replace(/["\\\r\n]/g, ' ').slice(0, 200)}"`;
}

/** The text of an RFC 3326 Reason header, if any. */
export function reasonText(value: string | undefined): string | undefined {
  return value ? /text="([^"]*)"/.exec(value)?.[1] : undefined;
}

/** What {@link readLegMessage} made of a MESSAGE: its migration elements, undefined (none), or the Error a malformed body threw. */
export type ReadLeg = ReturnType<typeof readLegMessage> | Error;

/** The migration elements of a leg MESSAGE; undefined when it carries none (not a leg message). @throws Error on a malformed body */
export function readLegMessage(message: SipRequest): (LegRequest & { result?: boolean | undefined }) | undefined {
  const part = findPart(parseBodyParts(message.headers.get('content-type'), message.body), MCPTT_INFO_CONTENT_TYPE);
  if (!part) return undefined;
  const m = migrationInfoOf(parseMcpttInfo(part.body));
  if (m.partnerMcpttId === undefined || m.primaryMcpttId === undefined || m.selectedUserProfileIndex === undefined) return undefined;
  return { partnerMcpttId: m.partnerMcpttId, primaryMcpttId: m.primaryMcpttId, userProfileIndex: m.selectedUserProfileIndex, result: m.migrationAuthResult };
}

/** {@link readLegMessage}, with a malformed body's Error returned instead of thrown. */
export function readOrError(req: { message: SipRequest }): ReadLeg {
  try {
    return readLegMessage(req.message);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
