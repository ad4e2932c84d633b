/**
 * The building blocks of `mcx bench xcap --vs kamailio` that can fail: the Kamailio installation,
 * the kamailio.cfg it writes (accepted by `kamailio -c -f`), the xcap table it creates, a 304 from
 * Kamailio's xcap_server and from the CMS (real bearer-token authentication) for the same 50 KB
 * document, and the load generator counting answers. Kamailio is required: CI installs it
 * (.ci/run); without it these tests fail and say what to install.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLocalPort } from '@mcx/mc-system';
import { checkKamailioConfig, createXcapDatabase, kamailioConfig, requireKamailio, startKamailio, type RunningKamailio } from '../bench/kamailio-xcap.ts';
import { runLoad } from '../bench/load-generator.ts';
import { BENCH_USER, largeUserProfile, putIntoKamailio, startBenchCms, startBenchIssuer, type BenchCms } from '../bench/xcap-bench.ts';

describe('mcx bench xcap building blocks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcx-xcap-bench-test-'));
  let issuer: Awaited<ReturnType<typeof startBenchIssuer>>;
  let token: string;
  let body: string;
  let cms: BenchCms;
  let kamailio: RunningKamailio | undefined;

  beforeAll(async () => {
    issuer = await startBenchIssuer();
    token = await issuer.token(BENCH_USER);
    body = largeUserProfile();
    cms = await startBenchCms(issuer.issuer, body);
  });
  afterAll(async () => {
    await kamailio?.stop();
    await cms?.close();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the Kamailio installation (kamailio, kamailio-presence-modules, kamailio-sqlite-modules)', () => {
    expect(() => requireKamailio()).not.toThrow();
  });

  it('creates the xcap table of the Debian schema, version 4', () => {
    requireKamailio();
    const path = join(dir, 'schema.db');
    createXcapDatabase(path);
    const db = new Database(path, { readonly: true });
    try {
      const columns = (db.prepare('PRAGMA table_info(xcap)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(['id', 'username', 'domain', 'doc', 'doc_type', 'etag', 'source', 'doc_uri', 'port']);
      expect(db.prepare("SELECT table_version FROM version WHERE table_name = 'xcap'").get()).toEqual({ table_version: 4 });
    } finally {
      db.close();
    }
  });

  it('writes a kamailio.cfg that `kamailio -c -f` accepts (exit 0)', async () => {
    requireKamailio();
    const dbPath = join(dir, 'check.db');
    createXcapDatabase(dbPath);
    const cfg = kamailioConfig({ port: await freeLocalPort(), dbPath, token });
    expect(cfg).toContain('tcp_rd_buf_size=65536');
    const cfgPath = join(dir, 'kamailio.cfg');
    writeFileSync(cfgPath, cfg);
    const r = checkKamailioConfig(cfgPath);
    expect(r.output).toContain('config file ok');
    expect(r.status).toBe(0);
  });

  it('refuses a bearer token that is not a token68 in the config (it is written into the script)', () => {
    expect(() => kamailioConfig({ port: 1, dbPath: '/x', token: 'a"b' })).toThrow(/token68/);
  });

  it('a 50 KB user profile, accepted by the CMS admin API', () => {
    expect(Buffer.byteLength(body)).toBeGreaterThanOrEqual(50 * 1024);
    expect(cms.cms.store.peek(cms.path.replace('/xcap-root/', ''))?.body).toBe(body);
  });

  it('Kamailio stores the 50 KB document and answers 304 to If-None-Match with its ETag', async () => {
    kamailio = await startKamailio({ token });
    const doc = await putIntoKamailio(kamailio, token, body);
    const full = await fetch(`${kamailio.url}${doc.path}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': '"other"' } });
    expect(full.status).toBe(200);
    expect(await full.text()).toBe(body);
    const cond = await fetch(`${kamailio.url}${doc.path}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': doc.etag } });
    await cond.arrayBuffer();
    expect(cond.status).toBe(304);
    const anonymous = await fetch(`${kamailio.url}${doc.path}`);
    await anonymous.arrayBuffer();
    expect(anonymous.status).toBe(403);
  });

  it('the CMS answers 304 to the bearer-authenticated conditional GET, 403 without a token', async () => {
    const url = `${cms.origin}${cms.path}`;
    const cond = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'if-none-match': cms.etag } });
    await cond.arrayBuffer();
    expect(cond.status).toBe(304);
    expect(cond.headers.get('etag')).toBe(cms.etag);
    const full = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(full.status).toBe(200);
    expect(await full.text()).toBe(body);
    const anonymous = await fetch(url, { headers: { 'if-none-match': cms.etag } });
    await anonymous.arrayBuffer();
    expect(anonymous.status).toBe(403);
  });

  it('the load generator counts the 304s of both servers, no errors', async () => {
    const k = kamailio ?? (kamailio = await startKamailio({ token }));
    const doc = await putIntoKamailio(k, token, body);
    const fromCms = await runLoad({ origin: cms.origin, path: cms.path, headers: { authorization: `Bearer ${token}`, 'if-none-match': cms.etag }, connections: 2, durationMs: 300 });
    const fromKamailio = await runLoad({ origin: k.url, path: doc.path, headers: { authorization: `Bearer ${token}`, 'if-none-match': doc.etag }, connections: 2, durationMs: 300 });
    for (const r of [fromCms, fromKamailio]) {
      expect(r.errors).toBe(0);
      expect(r.requests).toBeGreaterThan(0);
      expect(r.statuses).toEqual({ 304: r.requests });
    }
    expect(k.cpuMs()).toBeGreaterThan(0);
  });
});
