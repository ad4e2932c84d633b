/**
 * What the XCAP server reports after every successful change, so a notifier can send
 * xcap-diff NOTIFYs (RFC 5875 clause 4) built with `diffDocument`.
 */
import type { DocumentSelector } from '../uri/xcap-uri.ts';
import type { Principal } from '../app-usage/application-usage.ts';

export interface XcapChangeEvent {
  /** Canonical percent-encoded document selector (the xcap-diff `sel`, RFC 5874 clause 4). */
  selector: string;
  document: DocumentSelector;
  /** Absent when the document was created. */
  previousEtag?: string;
  /** Absent when the document was deleted. */
  newEtag?: string;
  previousBody?: string;
  newBody?: string;
  /** The version after the change (for a delete, the version that was deleted). */
  version: number;
  contentType: string;
  principal: Principal | undefined;
}
