/**
 * Constants of the xcap-diff event package (RFC 5875) and TS 24.484 clause 6.3.13.
 */
export const XCAP_DIFF_EVENT = 'xcap-diff';
/** NOTIFY body type (RFC 5874 clause 10 / RFC 5875 clause 4.4). */
export const XCAP_DIFF_CONTENT_TYPE = 'application/xcap-diff+xml';
/** SUBSCRIBE body part listing the XCAP URIs (RFC 5875 clause 4.3, RFC 4826). */
export const RESOURCE_LISTS_CONTENT_TYPE = 'application/resource-lists+xml';
/** SUBSCRIBE body part carrying the MCPTT access token (TS 24.484 clause 6.3.13.2.2). */
export const MCPTT_INFO_CONTENT_TYPE = 'application/vnd.3gpp.mcptt-info+xml';
/** The UE accepts xcap-diff together with message/external-body (TS 24.484 clause 6.3.13.2.2). */
export const XCAP_DIFF_ACCEPT = `${XCAP_DIFF_CONTENT_TYPE}, message/external-body`;

/** RFC 5875 clause 4.3: Event header parameter `diff-processing`. */
export type DiffProcessing = 'no-patching' | 'xcap-patching' | 'aggregate';

export function diffProcessing(eventParams: ReadonlyMap<string, string> | Record<string, string>): DiffProcessing | undefined {
  const v = eventParams instanceof Map ? eventParams.get('diff-processing') : (eventParams as Record<string, string>)['diff-processing'];
  return v === 'no-patching' || v === 'xcap-patching' || v === 'aggregate' ? v : undefined;
}
