/**
 * XCAP error conditions (RFC 4825 clause 11) as typed values that render themselves as an
 * `application/xcap-error+xml` document (namespace urn:ietf:params:xml:ns:xcap-error).
 */
import { XCAP_ERROR_MIME } from '../mime.ts';
import { escapeAttribute, escapeText } from '../dom/escape.ts';

export const XCAP_ERROR_NAMESPACE = 'urn:ietf:params:xml:ns:xcap-error';

/** One `<exists>` entry of a `<uniqueness-failure>` (RFC 4825 clause 11.1). */
export interface UniquenessExists {
  /** A relative node selector of the element or attribute that was not unique. */
  field: string;
  /** Alternate values the server proposes. */
  altValues?: readonly string[];
}

export type XcapErrorCondition =
  | { tag: 'not-well-formed' }
  | { tag: 'not-xml-frag' }
  | { tag: 'no-parent'; ancestor?: string }
  | { tag: 'schema-validation-error' }
  | { tag: 'not-xml-att-value' }
  | { tag: 'cannot-insert' }
  | { tag: 'cannot-delete' }
  | { tag: 'uniqueness-failure'; exists: readonly UniquenessExists[] }
  | { tag: 'constraint-failure' }
  | { tag: 'not-utf-8' };

export interface RenderedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An error reported with an xcap-error document. RFC 4825 clause 11 uses 409 (Conflict)
 * for every condition it defines.
 */
export class XcapError extends Error {
  readonly status = 409;
  constructor(
    readonly condition: XcapErrorCondition,
    readonly phrase?: string,
  ) {
    super(`${condition.tag}${phrase ? `: ${phrase}` : ''}`);
    this.name = 'XcapError';
  }

  /** The xcap-error document (RFC 4825 clause 11.2 schema). */
  toXml(): string {
    const c = this.condition;
    const phrase = this.phrase === undefined ? '' : ` phrase="${escapeAttribute(this.phrase)}"`;
    let inner = '';
    if (c.tag === 'no-parent' && c.ancestor !== undefined) {
      inner = `<ancestor>${escapeText(c.ancestor)}</ancestor>`;
    } else if (c.tag === 'uniqueness-failure') {
      inner = c.exists
        .map(
          (e) =>
            `<exists field="${escapeAttribute(e.field)}">${(e.altValues ?? [])
              .map((v) => `<alt-value>${escapeText(v)}</alt-value>`)
              .join('')}</exists>`,
        )
        .join('');
    }
    const child = inner === '' ? `<${c.tag}${phrase}/>` : `<${c.tag}${phrase}>${inner}</${c.tag}>`;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-error xmlns="${XCAP_ERROR_NAMESPACE}">${child}</xcap-error>\n`;
  }

  render(): RenderedResponse {
    return { status: this.status, headers: { 'content-type': XCAP_ERROR_MIME }, body: this.toXml() };
  }
}
