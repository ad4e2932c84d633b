/**
 * Interop: Debian's sipp plays the MCX UE (subscriber) with test/sipp/subscribe-xcap-diff.xml
 * against the notifier: it must see the 200 to its SUBSCRIBE and a NOTIFY whose body is an
 * xcap-diff document (the scenario's <ereg check_it> fails the call otherwise).
 * Interop tier: not part of `npm test`; `npm run test:interop` runs it (sipp on PATH or $SIPP).
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { createNotifier, SipRefusal, XCAP_DIFF_CONTENT_TYPE, XCAP_DIFF_EVENT, type SipEndpoint, type SipResponse } from '../src/index.ts';
import { endpoint, readSubscribeParts, waitFor, xcapDiff } from './helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIPP = process.env.SIPP ?? 'sipp';

const open: SipEndpoint[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 25_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

it('sipp subscribes with the TS 24.484 multipart body and gets 200 and an xcap-diff NOTIFY', async () => {
  const server = await endpoint({ tcp: false, timers: { t1: 500, t2: 4000, t4: 5000 } });
  open.push(server);
  const tokens: string[] = [];
  const answers: SipResponse[] = [];
  createNotifier<{ uris: string[] }>({
    endpoint: server,
    event: XCAP_DIFF_EVENT,
    contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize: (req) => {
      const { token, uris } = readSubscribeParts(req.parts);
      tokens.push(token ?? '');
      return token === 'good-token' ? { ok: true, subscriber: 'sip:alice@example.net', state: { uris } } : { ok: false, refusal: new SipRefusal(403, 'Forbidden') };
    },
    initialBody: (sub) => xcapDiff(0, sub.state.uris),
    events: { notified: (_s, res) => answers.push(res) },
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'mcx-sipp-'));
  dirs.push(dir);
  const messages = path.join(dir, 'messages.log');
  const { code, stdout } = await run(SIPP, [
    `127.0.0.1:${server.address('udp').port}`,
    '-sf', path.join(here, 'sipp', 'subscribe-xcap-diff.xml'),
    '-inf', path.join(here, 'sipp', 'tokens.csv'),
    '-s', 'cms-psi',
    '-i', '127.0.0.1',
    '-p', String(await freeUdpPort()),
    '-t', 'u1',
    '-m', '1',
    '-timeout', '20', '-timeout_error',
    '-nostdin',
    '-trace_msg', '-message_file', messages,
    '-trace_err', '-error_file', path.join(dir, 'errors.log'),
  ], dir);
  const log = await readFile(messages, 'utf8');
  expect(code, `sipp failed:\n${stdout.slice(-2000)}\n${log}`).toBe(0);
  expect(stdout).toMatch(/Successful call\s*\|\s*\d+\s*\|\s*1\b/);
  expect(tokens).toEqual(['good-token']);
  // What sipp received, in its own trace: the 200 with Expires and the NOTIFY with an xcap-diff body.
  expect(log).toMatch(/received[\s\S]*SIP\/2\.0 200 OK[\s\S]*Expires: 3600/);
  expect(log).toMatch(/NOTIFY sip:alice@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*Subscription-State: active;expires=\d+[\s\S]*<xcap-diff xmlns="urn:ietf:params:xml:ns:xcap-diff"/);
  // The notifier got sipp's 200 to the NOTIFY.
  await waitFor(() => answers.length === 1, "sipp's 200 to the NOTIFY");
  expect(answers.map((r) => r.status)).toEqual([200]);
});
