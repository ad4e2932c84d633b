/**
 * The bodies of xcap-diff NOTIFYs (RFC 5874 format, RFC 5875 event package), built without side
 * effects: a builder reads the subscription's view and what the subscriber holds and returns the
 * body together with what the subscriber will hold once the NOTIFY is answered. Recording that
 * (in memory and in the store) is a separate step, taken when the 2xx arrives.
 */
import { diffDocument, renderXcapDiff, type DocumentChange, type DocumentDiff } from '@mcx/xcap';
import type { DocumentVersion } from './document-set.ts';

export interface NotifyInput {
  /** The xcap-diff `xcap-root` (RFC 5874 clause 4): the absolute HTTP XCAP root. */
  xcapRoot: string;
  /** The documents the subscription shows now: document selector → `sel`. */
  view: ReadonlyMap<string, string>;
  /** Document selector → the ETag of the subscriber's copy. */
  notified: Readonly<Record<string, string>>;
  /** The `sel` of a document that left the view. */
  selOf(selector: string): string;
  /** The current version of a document. */
  current(selector: string): DocumentVersion | undefined;
  /** The body of an earlier version, when still known (for patch operations). */
  previousBody(selector: string, etag: string): string | undefined;
  /** RFC 5875 clause 4.3: false for `diff-processing=no-patching`. */
  patching: boolean;
  /** diffDocument of @mcx/xcap, or a memo of it shared by the subscribers of one change. */
  diff?: (change: DocumentChange, patching: boolean) => DocumentDiff;
}

export interface BuiltNotify {
  body: string;
  /** What the subscriber holds once this NOTIFY is answered with a 2xx. */
  notified: Record<string, string>;
  /** How many `<document>` elements the body has. */
  documents: number;
}

const plainDiff = (change: DocumentChange, patching: boolean): DocumentDiff =>
  diffDocument(change, { patching });

/**
 * Full state (RFC 5875 clause 4.4; RFC 6665 clause 4.2.1.1): one `<document sel new-etag>` per
 * existing document of the view; `new-etag` is the HTTP ETag.
 */
export function fullStateNotify(input: NotifyInput): BuiltNotify {
  const docs: DocumentDiff[] = [];
  const notified: Record<string, string> = {};
  for (const [selector, sel] of input.view) {
    const cur = input.current(selector);
    if (cur === undefined) continue;
    notified[selector] = cur.etag;
    docs.push(diffDocument({ sel, newEtag: cur.etag }));
  }
  return { body: renderXcapDiff(input.xcapRoot, docs), notified, documents: docs.length };
}

/**
 * Everything that differs between the subscriber's copies and the view, in one body (RFC 5875
 * clause 4.7: changes made while a NOTIFY was in flight are aggregated): `previous-etag` and
 * `new-etag` for a changed document, with RFC 5261 patch operations when they are smaller than the
 * document (RFC 5874); `new-etag` only for a document that appeared; `previous-etag` only for one
 * that was deleted or left the view (RFC 5874 clause 4).
 */
export function changeNotify(input: NotifyInput): BuiltNotify {
  const diff = input.diff ?? plainDiff;
  const docs: DocumentDiff[] = [];
  const notified: Record<string, string> = { ...input.notified };
  for (const [selector, sel] of input.view) {
    const held = input.notified[selector];
    const cur = input.current(selector);
    if (cur?.etag === held) continue;
    docs.push(
      diff(
        {
          sel,
          previousEtag: held,
          newEtag: cur?.etag,
          previousBody: held === undefined ? undefined : input.previousBody(selector, held),
          newBody: cur?.body,
        },
        input.patching,
      ),
    );
    if (cur === undefined) delete notified[selector];
    else notified[selector] = cur.etag;
  }
  for (const [selector, held] of Object.entries(input.notified)) {
    if (input.view.has(selector)) continue;
    docs.push(diff({ sel: input.selOf(selector), previousEtag: held }, input.patching));
    delete notified[selector];
  }
  return { body: renderXcapDiff(input.xcapRoot, docs), notified, documents: docs.length };
}
