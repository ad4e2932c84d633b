/**
 * The MCS's reads of a CMS admin resource (CSC-5 and the primary's shares; docs/server-contracts.md):
 * a GET with the system's admin bearer over undici's `request()` on its global dispatcher — keep-alive
 * connections to the CMS (and the lab CA trust the composition installed there, libs/lab-ca trust.ts),
 * without the WHATWG fetch machinery per exchange. A migration makes one such read on each MCS, so it is
 * on the migration's hot path (issue #14). Our choice of client; the resources are the CMS's.
 */
import { request } from 'undici';
import { Refusal } from './refusal.ts';

/**
 * What a read answered; a non-2xx answer is Refusal('unavailable'), except 404 when `notFoundIsAbsent` (a resource
 * that may not exist, as a CSC-5 authorization): then `undefined`.
 */
export async function readCmsJson<T>(url: string, adminToken: string, what: string, notFoundIsAbsent: boolean, timeoutMs = 5000): Promise<T | undefined> {
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      headers: { authorization: `Bearer ${adminToken}`, accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (err) {
    throw new Refusal('unavailable', `${what} unreachable: ${(err as Error).message}`);
  }
  if (res.statusCode === 404 && notFoundIsAbsent) {
    await res.body.dump();
    return undefined;
  }
  if (res.statusCode < 200 || res.statusCode > 299) {
    await res.body.dump();
    throw new Refusal('unavailable', `${what} answered HTTP ${res.statusCode}`);
  }
  try {
    return (await res.body.json()) as T;
  } catch (err) {
    throw new Refusal('unavailable', `${what} answered a body that is not JSON: ${(err as Error).message}`);
  }
}
