import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpServer, fetchWith, labCaDispatcher, labCaIn } from './index.ts';

const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lab-ca-test-'));
  dirs.push(d);
  return join(d, 'tls');
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('lab CA', () => {
  it('is created once per directory, its key readable by the owner only, and kept on the next start', async () => {
    const dir = freshDir();
    const ca = await labCaIn(dir);
    expect(ca.caPath).toBe(join(dir, 'ca.pem'));
    expect(statSync(join(dir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(ca.caPem);
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    const again = await labCaIn(dir);
    expect(again.caPem).toBe(ca.caPem);
  });

  it('issues a server certificate per host name with the right subjectAltName, kept while good', async () => {
    const dir = freshDir();
    const ca = await labCaIn(dir);
    const caCert = new X509Certificate(ca.caPem);
    const loop = new X509Certificate((await ca.serverCredentials('127.0.0.1')).cert);
    expect(loop.checkIssued(caCert)).toBe(true);
    expect(loop.subjectAltName?.split(', ').sort()).toEqual(['DNS:localhost', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:127.0.0.1']);
    expect(loop.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(loop.checkHost('localhost')).toBe('localhost');
    expect(loop.ca).toBe(false);
    const named = new X509Certificate((await ca.serverCredentials('mcx-a.lab.example')).cert);
    expect(named.checkHost('mcx-a.lab.example')).toBe('mcx-a.lab.example');
    expect(named.checkIP('127.0.0.1')).toBeUndefined();
    expect(statSync(join(dir, 'server-mcx-a.lab.example-key.pem')).mode & 0o777).toBe(0o600);
    // A second start reuses it; a new CA in the directory reissues it.
    expect((await (await labCaIn(dir)).serverCredentials('mcx-a.lab.example')).cert).toBe(named.toString());
    rmSync(join(dir, 'ca.pem'));
    const other = await labCaIn(dir);
    const reissued = new X509Certificate((await other.serverCredentials('mcx-a.lab.example')).cert);
    expect(reissued.checkIssued(new X509Certificate(other.caPem))).toBe(true);
  });

  it('serves TLS that a client trusting the CA accepts and one that does not refuses; SSLKEYLOGFILE gets the session keys', async () => {
    const dir = freshDir();
    const ca = await labCaIn(dir);
    const keylog = join(dir, 'keys.log');
    process.env.SSLKEYLOGFILE = keylog;
    const server = createHttpServer((_req, res) => res.end('hello'), await ca.serverCredentials('127.0.0.1'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await expect(fetch(url, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
      const res = await fetchWith(labCaDispatcher(ca.caPem))(url);
      expect(await res.text()).toBe('hello');
      expect(existsSync(keylog)).toBe(true);
      expect(readFileSync(keylog, 'utf8')).toMatch(/^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} [0-9a-f]+$/m);
    } finally {
      delete process.env.SSLKEYLOGFILE;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
