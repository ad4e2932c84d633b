/**
 * Trust of the lab CA by the HTTP clients of the ecosystem (UEs, servers' outbound calls, the
 * console, `mcx` commands, tests): an undici `Agent` whose TLS connections verify against the
 * public roots plus the lab CA(s). Verification stays on: no `rejectUnauthorized: false`, no
 * NODE_TLS_REJECT_UNAUTHORIZED.
 *
 * `trustLabCa` makes that agent the dispatcher of `fetch` in this process (what jose's JWKS fetch,
 * openid-client and every server's outbound `fetch` use); `labCaDispatcher` is the same trust for a
 * caller that passes `dispatcher` itself (openid-client's customFetch in the interop tests).
 */
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { Agent, setGlobalDispatcher, type Dispatcher } from 'undici';

const trusted = new Set<string>();
let processAgent: Agent | undefined;

/**
 * One TLS context for every connection of an agent: with `connect: { ca }` each new connection
 * would build its own context and parse the ~150 public roots again (CPU and native memory per
 * connection, seen in `mcx bench soak`).
 */
function trustContext(caPem: Iterable<string>): SecureContext {
  return createSecureContext({ ca: [...rootCertificates, ...caPem] });
}

/** A dispatcher that trusts the public roots and `caPem` (one or more PEM certificates). */
export function labCaDispatcher(...caPem: string[]): Dispatcher {
  return new Agent({ connect: { secureContext: trustContext(caPem) } });
}

/** `fetch` through `dispatcher` (for clients that take a fetch function). */
export function fetchWith(dispatcher: Dispatcher): typeof fetch {
  return (input, init) => fetch(input, { ...init, dispatcher } as unknown as RequestInit);
}

/**
 * Every `fetch` of this process trusts `caPem` from now on (besides the public roots and the lab
 * CAs trusted before). Idempotent per CA.
 */
export function trustLabCa(caPem: string): void {
  if (trusted.has(caPem)) return;
  trusted.add(caPem);
  const previous = processAgent;
  processAgent = new Agent({ connect: { secureContext: trustContext(trusted) } });
  setGlobalDispatcher(processAgent);
  // Connections already open through the previous agent finish; it takes no new ones.
  void previous?.close().catch(() => undefined);
}
