/**
 * An in-memory DocumentStore. Check and set happen in one synchronous step, so concurrent
 * writes on the event loop are serialized per document with no lost update.
 */
import { computeEtag } from '../etag.ts';
import { EtagMismatch, type DeleteOptions, type DocumentStore, type ExpectedEtag, type PutOptions, type StoredDocument } from './document-store.ts';

export class InMemoryDocumentStore implements DocumentStore {
  readonly #docs = new Map<string, StoredDocument>();
  /** Versions survive a delete, so a re-created document never reuses a version number. */
  readonly #versions = new Map<string, number>();

  #check(selector: string, expected: ExpectedEtag): StoredDocument | undefined {
    const current = this.#docs.get(selector);
    if (expected === undefined) return current;
    const ok = expected === null ? current === undefined : current?.etag === expected;
    if (!ok) throw new EtagMismatch(selector, expected, current?.etag);
    return current;
  }

  async get(selector: string): Promise<StoredDocument | undefined> {
    return this.#docs.get(selector);
  }

  async put(selector: string, body: string, options: PutOptions): Promise<StoredDocument> {
    this.#check(selector, options.ifEtag);
    const version = (this.#versions.get(selector) ?? 0) + 1;
    const doc: StoredDocument = {
      selector,
      body,
      etag: computeEtag(body),
      version,
      contentType: options.contentType,
      updatedAt: new Date(),
    };
    this.#versions.set(selector, version);
    this.#docs.set(selector, doc);
    return doc;
  }

  async delete(selector: string, options: DeleteOptions = {}): Promise<StoredDocument | undefined> {
    const current = this.#check(selector, options.ifEtag);
    this.#docs.delete(selector);
    return current;
  }

  async list(prefix: string): Promise<StoredDocument[]> {
    return [...this.#docs.values()].filter((d) => d.selector.startsWith(prefix));
  }
}
