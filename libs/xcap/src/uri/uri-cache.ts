/**
 * Parsed XCAP URIs by request target (our choice): a UE asks for the same few document URIs
 * again and again (a conditional GET per synchronization, TS 24.484 clause 6.3.13), and parsing
 * one (percent-decoding every segment, re-encoding the canonical selector, RFC 4825 clause 6)
 * costs more than the rest of a 304. A parsed `XcapUri` is immutable, so one object serves
 * every request for the target. Bounded: when full, the oldest entry goes (a client inventing
 * URIs costs a parse each, as without the cache). Targets that do not parse are not kept.
 */
import { parseXcapUri, type XcapUri } from './xcap-uri.ts';

export class XcapUriCache {
  readonly #entries = new Map<string, XcapUri>();

  constructor(readonly capacity = 4096) {}

  /** `parseXcapUri(target)`, from the cache when this target was parsed before. @throws BadXcapUri */
  parse(target: string): XcapUri {
    const hit = this.#entries.get(target);
    if (hit !== undefined) return hit;
    const uri = parseXcapUri(target);
    if (this.#entries.size >= this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(target, uri);
    return uri;
  }

  get size(): number {
    return this.#entries.size;
  }
}
