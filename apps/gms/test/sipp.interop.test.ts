/**
 * Interop: Debian's sipp plays a UE's GMC (test/sipp/subscribe-groups.xml) against the GMS with a
 * real access token: 200 to its SUBSCRIBE, an initial xcap-diff NOTIFY naming the subscribed
 * group document, then the NOTIFY of a membership change (the scenario's <ereg check_it> fail
 * the call otherwise).
 * Interop tier: not part of `npm test`; `npm run test:interop` runs it (sipp on PATH or $SIPP).
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { admin, DOMAIN, mcpttIdOf, startSystem, waitFor, type System } from './fixture.ts';
import { groupSelector } from '../src/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIPP = process.env.SIPP ?? 'sipp';
let sys: System;
let dir: string;

beforeAll(async () => {
  sys = await startSystem();
  await sys.gms.seed({ groups: [{ groupId: 'fire-1', displayName: 'Fire 1', members: [mcpttIdOf('alice'), mcpttIdOf('bob')] }] });
  dir = await mkdtemp(path.join(tmpdir(), 'gms-sipp-'));
});
afterAll(async () => {
  await sys?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

it('sipp subscribes to a group document with a real token and gets the initial and the change NOTIFY', async () => {
  const csv = path.join(dir, 'tokens.csv');
  await writeFile(csv, `SEQUENTIAL\n${await sys.token('alice')};${groupSelector(`sip:fire-1@${DOMAIN}`)};\n`);
  const messages = path.join(dir, 'messages.log');
  const port = /:(\d+)$/.exec(sys.gms.sipUri)![1]!;
  const localPort = await freeUdpPort();
  const sipp = new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      SIPP,
      [`127.0.0.1:${port}`, '-sf', path.join(here, 'sipp', 'subscribe-groups.xml'), '-inf', csv, '-i', '127.0.0.1', '-p', String(localPort),
        '-t', 'u1', '-m', '1', '-timeout', '20', '-timeout_error', '-nostdin', '-trace_msg', '-message_file', messages],
      { cwd: dir, timeout: 25_000 },
      (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout }),
    );
  });
  await waitFor(() => sys.gms.subscriptions().some((s) => s.subscriber === mcpttIdOf('alice')), 'the sipp subscription');
  expect((await admin(sys.gms, 'DELETE', `/groups/fire-1/members/${encodeURIComponent(mcpttIdOf('bob'))}`)).status).toBe(204);
  const { code, stdout } = await sipp;
  const log = await readFile(messages, 'utf8').catch(() => '');
  expect(code, `sipp failed:\n${stdout.slice(-2000)}\n${log}`).toBe(0);
  expect(stdout).toMatch(/Successful call\s*\|\s*\d+\s*\|\s*1\b/);
});
