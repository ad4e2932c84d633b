/** HTTP overload control on a real socket: 503 + Retry-After while the loop lags, served otherwise. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, expect, it } from 'vitest';
import { httpOverload } from './http-overload.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(lag: { lagMs: number }, retryAfter?: number) {
  const app = express();
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  const overload = httpOverload({ lag, maxLoopLagMs: 200, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  app.use(overload);
  app.get('/xcap-root/doc', (_req, res) => void res.type('application/xml').send('<doc/>'));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, overload };
}

it('answers 503 with Retry-After while the event loop lags beyond the bound, and serves again once it catches up', async () => {
  const lag = { lagMs: 0 };
  const { base, overload } = await serve(lag, 2);
  expect((await fetch(`${base}/xcap-root/doc`)).status).toBe(200);
  lag.lagMs = 750;
  const refused = await fetch(`${base}/xcap-root/doc`);
  expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '2']);
  expect(await refused.json()).toEqual({
    error: 'temporarily_unavailable',
    error_description: 'the server is overloaded (event loop 750 ms late); retry after 2 s',
  });
  // Routes mounted before it (the health probe) are still answered.
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  expect(overload.refused).toBe(1);
  lag.lagMs = 200; // at the bound: served
  expect((await fetch(`${base}/xcap-root/doc`)).status).toBe(200);
});

it('defaults Retry-After to 1 second', async () => {
  const { base } = await serve({ lagMs: 10_000 });
  const refused = await fetch(`${base}/xcap-root/doc`);
  expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '1']);
});
