// oidc-provider's per-request AsyncLocalStorage made a pass-through (request-context.ts): the
// function still runs with its arguments and result, the store is never entered, and a
// configuration that needs the store keeps it.
import Provider from 'oidc-provider';
// @ts-expect-error -- the module has no type declarations (TS7016)
import providerStorage from 'oidc-provider/lib/helpers/als.js';
import type { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { bypassOidcRequestContext } from './request-context.ts';

const storage = providerStorage as AsyncLocalStorage<unknown>;

describe("oidc-provider's request context", () => {
  it('is left alone when the client ID metadata document feature (its only reader besides Provider.ctx) is on', () => {
    expect(bypassOidcRequestContext({ clientIdMetadataDocument: { enabled: true } })).toBe(false);
  });

  it('runs the request without entering the store: Provider.ctx is undefined, before and after an await', async () => {
    expect(bypassOidcRequestContext({})).toBe(true);
    expect(bypassOidcRequestContext()).toBe(true);
    const ctx = { request: 'token' };
    const seen: unknown[] = [];
    const result = await storage.run(
      ctx,
      async (a: number, b: number) => {
        seen.push(storage.getStore(), Provider.ctx);
        await new Promise((r) => setTimeout(r, 1));
        seen.push(storage.getStore(), Provider.ctx);
        return a + b;
      },
      2,
      3,
    );
    expect(result).toBe(5);
    expect(seen).toEqual([undefined, undefined, undefined, undefined]);
  });
});
