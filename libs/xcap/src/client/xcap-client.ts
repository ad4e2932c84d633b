/**
 * The UE side of XCAP (TS 24.484 clause 6.2 CMC, RFC 4825 clause 7): conditional GET
 * (If-None-Match, 304 = "already synchronized"), PUT with If-Match (412 = someone else
 * changed it: re-fetch, merge, retry), DELETE, and applying xcap-diff NOTIFY bodies to the
 * local copies (RFC 5875 clause 5.2).
 */
import { applyXcapDiff, type DiffApplication, type LocalCopy } from '../diff/apply-diff.ts';
import { parseXcapError, type XcapErrorBody } from '../errors/xcap-error.ts';
import { quoteEtag } from '../etag.ts';
import { XCAP_ERROR_MIME, mediaTypeOf } from '../mime.ts';

export interface XcapClientOptions {
  /** Absolute XCAP root URI, e.g. `https://cms.example.net/xcap-root`. */
  xcapRoot: string;
  /** Extra headers per request, e.g. `Authorization: Bearer ...` (TS 24.482 Annex A). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  fetch?: typeof fetch;
}

export interface XcapResult {
  status: number;
  /** Unquoted ETag from the response, when present. */
  etag?: string;
  contentType?: string;
  body: string;
  /** The xcap-error condition element name (`schema-validation-error`, ...) of a 409. */
  errorCondition?: string;
  /** The whole xcap-error document of a 409 (condition, phrase, details). */
  xcapError?: XcapErrorBody;
}

export interface ConditionalOptions {
  /** Unquoted ETag, or `*`. */
  ifMatch?: string;
  /** Unquoted ETag, or `*`. */
  ifNoneMatch?: string;
}

function unquote(etag: string | null): string | undefined {
  if (etag === null) return undefined;
  const m = /^(?:W\/)?"(.*)"$/.exec(etag.trim());
  return m ? m[1] : etag;
}

function condition(value: string): string {
  return value === '*' ? '*' : quoteEtag(value);
}

export class XcapClient {
  readonly #root: string;
  readonly #headers: XcapClientOptions['headers'];
  readonly #fetch: typeof fetch;

  constructor(options: XcapClientOptions) {
    this.#root = options.xcapRoot.replace(/\/+$/, '');
    this.#headers = options.headers;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** The absolute URI of a path below the root (as built by `formatXcapUri`). */
  uriOf(path: string): string {
    return `${this.#root}/${path.replace(/^\/+/, '')}`;
  }

  async #send(method: string, path: string, init: { body?: string; contentType?: string } & ConditionalOptions): Promise<XcapResult> {
    const headers: Record<string, string> = { ...(await this.#headers?.()) };
    if (init.contentType !== undefined) headers['content-type'] = init.contentType;
    if (init.ifMatch !== undefined) headers['if-match'] = condition(init.ifMatch);
    if (init.ifNoneMatch !== undefined) headers['if-none-match'] = condition(init.ifNoneMatch);
    const res = await this.#fetch(this.uriOf(path), { method, headers, body: init.body ?? null });
    const body = await res.text();
    const result: XcapResult = { status: res.status, body };
    const etag = unquote(res.headers.get('etag'));
    if (etag !== undefined) result.etag = etag;
    const contentType = res.headers.get('content-type');
    if (contentType !== null) result.contentType = contentType;
    if (mediaTypeOf(contentType ?? undefined) === XCAP_ERROR_MIME) {
      try {
        result.xcapError = parseXcapError(body);
        result.errorCondition = result.xcapError.condition.tag;
      } catch {
        // A body that is not an xcap-error document: the status alone says what happened.
      }
    }
    return result;
  }

  /** GET; with `ifNoneMatch` a 304 means the copy is current (RFC 4825 clause 7.11). */
  get(path: string, options: ConditionalOptions = {}): Promise<XcapResult> {
    return this.#send('GET', path, options);
  }

  /** PUT a document, element (`application/xcap-el+xml`) or attribute (`application/xcap-att+xml`). */
  put(path: string, body: string, contentType: string, options: ConditionalOptions = {}): Promise<XcapResult> {
    return this.#send('PUT', path, { ...options, body, contentType });
  }

  delete(path: string, options: ConditionalOptions = {}): Promise<XcapResult> {
    return this.#send('DELETE', path, options);
  }

  /**
   * Brings a local copy up to date: a conditional GET with its ETag. Returns the copy to keep
   * (unchanged on 304), or undefined when the document no longer exists.
   */
  async synchronize(path: string, local: LocalCopy | undefined): Promise<LocalCopy | undefined> {
    const res = await this.get(path, local === undefined ? {} : { ifNoneMatch: local.etag });
    if (res.status === 304 && local !== undefined) return local;
    if (res.status === 200 && res.etag !== undefined) return { etag: res.etag, body: res.body };
    if (res.status === 404) return undefined;
    throw new Error(`GET ${path} failed with ${res.status}`);
  }

  /**
   * Applies an xcap-diff NOTIFY body to the copies in `copies` (keyed by document selector),
   * fetching every document the diff cannot patch (ETag mismatch, no patch, new document).
   * Returns what happened per document; `copies` is updated in place.
   */
  async applyDiff(xcapDiff: string, copies: Map<string, LocalCopy>): Promise<DiffApplication[]> {
    const results = applyXcapDiff(xcapDiff, (sel) => copies.get(sel));
    for (const r of results) {
      if (r.action === 'patched') copies.set(r.sel, { etag: r.etag, body: r.body });
      else if (r.action === 'etag-updated') copies.set(r.sel, { etag: r.etag, body: copies.get(r.sel)!.body });
      else if (r.action === 'deleted') copies.delete(r.sel);
      else if (r.action === 'fetch') {
        const fresh = await this.synchronize(r.sel, undefined);
        if (fresh === undefined) copies.delete(r.sel);
        else copies.set(r.sel, fresh);
      }
    }
    return results;
  }
}
