/**
 * Reads the mcptt-info body (TS 24.379 clause F.1) of a REGISTER or PUBLISH: the body itself or
 * the `application/vnd.3gpp.mcptt-info+xml` part of a multipart/mixed body (TS 24.379 clause
 * 7.2.1: the UE includes the access token in `<mcptt-access-token>` of `<mcptt-Params>`).
 */
import { accessTokenOf, parseMcpttInfo, type McpttInfo } from '@mcx/documents';
import { findPart, MCPTT_INFO_CONTENT_TYPE, parseBodyParts, type SipRequest } from '@mcx/sip';
import { Refusal } from '../refusal.ts';

export interface McpttInfoContent {
  info: McpttInfo;
  accessToken: string;
}

export function readMcpttInfo(message: SipRequest): McpttInfoContent {
  let parts;
  try {
    parts = parseBodyParts(message.headers.get('content-type'), message.body);
  } catch (err) {
    throw new Refusal('no-mcptt-info', `unreadable body: ${(err as Error).message}`);
  }
  const part = findPart(parts, MCPTT_INFO_CONTENT_TYPE);
  if (!part) throw new Refusal('no-mcptt-info', `the request carries no ${MCPTT_INFO_CONTENT_TYPE} body`);
  let info: McpttInfo;
  try {
    info = parseMcpttInfo(part.body);
  } catch (err) {
    const message = (err as Error).message;
    // A bad migration element (TS 23.280 10.6.3) is a malformed migration request, anything else a malformed body.
    if (/selected-user-profile-index|partner-mcptt-id|primary-mcptt-id/.test(message)) throw new Refusal('bad-migration-request', message);
    throw new Refusal('no-mcptt-info', `malformed mcptt-info: ${message}`);
  }
  const accessToken = accessTokenOf(info);
  if (!accessToken) throw new Refusal('no-access-token', 'mcptt-info has no clear-text <mcptt-access-token>');
  return { info, accessToken };
}
