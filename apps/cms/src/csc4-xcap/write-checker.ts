/**
 * Where the checks of a write run (write-checks.ts): inline for a small body, in a worker thread
 * of the CMS's XmlWorkerPool for a larger one. `mcx up` runs every server of both MC systems in
 * one process, so validating a large accepted document on the event loop would stall all of them
 * (the partner's IdMS health check, the MCS's OPTIONS) for as long.
 *
 * The threshold is our choice, from `npm run bench -w @mcx/xml` (libs/xml/bench): a worker round
 * trip costs a few milliseconds, about what parsing and validating 16 KB costs inline, so bodies
 * under `inlineBelowBytes` (default 16 KB: every profile of the lab) stay on the fast path. A
 * full pool refuses with WorkerPoolBusyError, answered 503 + Retry-After.
 */
import { XmlWorkerPool } from '@mcx/xml';
import type { DocumentVerdict } from '@mcx/xcap';
import { checkWrite, type WriteCheckInput } from './write-checks.ts';

export interface WriteCheckerOptions {
  /** Worker threads (default 2). */
  threads: number;
  /** Checks that may wait for a thread before further writes get 503 (default 8). */
  maxQueue: number;
  /** Bodies shorter than this (characters) are checked on the calling thread (default 16 KB). */
  inlineBelowBytes: number;
}

export const DEFAULT_WRITE_CHECKER_OPTIONS: WriteCheckerOptions = { threads: 2, maxQueue: 8, inlineBelowBytes: 16 * 1024 };

export class WriteChecker {
  readonly #pool: XmlWorkerPool;
  readonly #inlineBelow: number;

  constructor(options: WriteCheckerOptions = DEFAULT_WRITE_CHECKER_OPTIONS) {
    // The task module beside this one: write-checks.ts from sources, write-checks.js once built.
    const ext = new URL(import.meta.url).pathname.endsWith('.ts') ? 'ts' : 'js';
    this.#pool = new XmlWorkerPool({ module: new URL(`./write-checks.${ext}`, import.meta.url), threads: options.threads, maxQueue: options.maxQueue });
    this.#inlineBelow = options.inlineBelowBytes;
  }

  /** The verdict on a write; runs in a worker thread when the body is large. */
  check(input: WriteCheckInput): Promise<DocumentVerdict> {
    if (input.xml.length < this.#inlineBelow) return Promise.resolve(checkWrite(input));
    return this.#pool.run<DocumentVerdict>('checkWrite', input);
  }

  /** Checks running in worker threads and waiting for one (tests and benches observe these). */
  stats() {
    return this.#pool.stats();
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
