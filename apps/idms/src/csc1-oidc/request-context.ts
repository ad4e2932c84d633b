/**
 * oidc-provider 9 runs every request inside an AsyncLocalStorage of its own (its
 * `lib/helpers/als.js`, `als.run(ctx, next)` in `lib/helpers/initialize_app.js`), which it reads
 * back only in the static `Provider.ctx` getter and in the client ID metadata document feature.
 * The IdMS uses neither (the feature is off, and our code gets the request's context from the
 * arguments oidc-provider passes).
 *
 * On Node.js 20 an AsyncLocalStorage that has been run once installs a promise hook for every
 * promise the process creates from then on (async_hooks). In `mcx up` every server of both MC
 * systems shares the IdMS's process, so after the first token request each SIP transaction, XCAP
 * GET and database write of the CMS, GMS and MCS paid for it: about 2 % of the MC systems'
 * process's CPU and 1.6 % of what it allocates over `mcx bench migration` (issue #14,
 * docs/performance.md). Our choice: the store's `run` calls its function without entering the
 * store, and `Provider.ctx` is always undefined. When the module is not the expected shape
 * (another oidc-provider), or when a configuration enables the feature that reads the store,
 * nothing is replaced.
 */
// The very module provider.js imports (the package has no `exports` map, so the path resolves to that file).
// @ts-expect-error -- the module has no type declarations (TS7016); its shape is checked below.
import providerStorage from 'oidc-provider/lib/helpers/als.js';
import { AsyncLocalStorage } from 'node:async_hooks';

const BYPASSED = Symbol.for('mcx.idms.oidcRequestContextBypassed');

/** Makes oidc-provider's per-request AsyncLocalStorage a pass-through (see above); returns whether it is one now. */
export function bypassOidcRequestContext(features: { clientIdMetadataDocument?: { enabled?: boolean } } = {}): boolean {
  if (features.clientIdMetadataDocument?.enabled) return false;
  const storage = providerStorage as unknown;
  if (!(storage instanceof AsyncLocalStorage)) return false;
  const marked = storage as AsyncLocalStorage<unknown> & { [BYPASSED]?: true };
  if (marked[BYPASSED]) return true;
  marked.run = function run<R, A extends unknown[]>(_store: unknown, fn: (...args: A) => R, ...args: A): R {
    return fn(...args);
  };
  // Removes the promise hook if the store was already run (it comes back only when another AsyncLocalStorage runs).
  marked.disable();
  marked[BYPASSED] = true;
  return true;
}
