/**
 * MIME types of XCAP resources (RFC 4825 clause 15.2) and of xcap-diff (RFC 5874 clause 9).
 * A document's own type comes from its application usage (RFC 4825 clause 5.4).
 */
export const XCAP_ELEMENT_MIME = 'application/xcap-el+xml';
export const XCAP_ATTRIBUTE_MIME = 'application/xcap-att+xml';
export const XCAP_NAMESPACES_MIME = 'application/xcap-ns+xml';
export const XCAP_ERROR_MIME = 'application/xcap-error+xml';
export const XCAP_DIFF_MIME = 'application/xcap-diff+xml';

/** The media type of a Content-Type header value, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}
