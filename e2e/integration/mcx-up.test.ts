import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCX, REPO, startEcosystemProcess, type EcosystemProcess } from '../support/ecosystem-process.ts';

// `mcx up` as a real process (what `npm start` runs), then the CLI and the wire protocols against it.
const run = promisify(execFile);
const mcx = (eco: EcosystemProcess, ...args: string[]) =>
  run(process.execPath, [MCX, ...args, '--config', eco.config], { cwd: REPO, timeout: 60_000 });

let eco: EcosystemProcess;
beforeAll(async () => {
  eco = await startEcosystemProcess();
});
afterAll(async () => {
  if (eco) expect(await eco.stop()).toBe(0);
});

describe('mcx up', () => {
  it('prints every endpoint and the console URL', () => {
    expect(eco.output()).toContain('Open the console: http://127.0.0.1:');
    // Once, with the lab control secret (the console's login; the token is not in the runtime file).
    expect(eco.output()).toContain(`Open the console: ${eco.consoleLogin}\n`);
    expect(eco.output().split(eco.controlToken)).toHaveLength(2);
    expect(eco.output()).toMatch(/mcx-a \(primary, PLMN 00101\)/);
    expect(eco.output()).toMatch(/mcx-b \(partner, PLMN 00102\)/);
  });

  it('mcx endpoints --json has the documented shape, SIP URIs name their transport', async () => {
    const { stdout } = await mcx(eco, 'endpoints', '--json');
    const ep = JSON.parse(stdout) as {
      console: string;
      ueHost: string;
      systems: {
        id: string;
        role: string;
        plmns: string[];
        idms: { issuer: string };
        cms: { xcapRoot: string; sip: string };
        gms: { xcapRoot: string; sip: string };
        mcs: { sip: string };
        admin: string;
      }[];
    };
    expect(ep.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ep.systems.map((s) => [s.id, s.role, s.plmns])).toEqual([
      ['mcx-a', 'primary', ['00101']],
      ['mcx-b', 'partner', ['00102']],
    ]);
    for (const s of ep.systems) {
      expect(s.cms.sip).toMatch(/^sip:.+;transport=(udp|tcp)$/);
      expect(s.gms.sip).toMatch(/;transport=(udp|tcp)$/);
      expect(s.mcs.sip).toMatch(/;transport=(udp|tcp)$/);
      const discovery = (await (await fetch(`${s.idms.issuer}/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      };
      expect(discovery.issuer).toBe(s.idms.issuer);
      expect((await fetch(`${s.cms.xcapRoot.replace(/\/xcap-root$/, '')}/healthz`)).status).toBe(200);
    }
  });

  it('mcx token gets a real token (code + PKCE) that the CMS accepts for the user and refuses for another user', async () => {
    const { stdout } = await mcx(eco, 'token', '--system', 'mcx-a', '--user', 'alice', '--audience', 'cms');
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const ep = JSON.parse((await mcx(eco, 'endpoints', '--json')).stdout) as {
      systems: { cms: { xcapRoot: string } }[];
    };
    const root = ep.systems[0]!.cms.xcapRoot;
    const own = await fetch(
      `${root}/org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toContain('application/vnd.3gpp.mcptt-user-profile+xml');
    const etag = own.headers.get('etag')!;
    const again = await fetch(
      `${root}/org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml`,
      { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } },
    );
    expect(again.status).toBe(304);
    const other = await fetch(
      `${root}/org.3gpp.mcptt.user-profile/users/sip:bob@mcx-a.example.net/mcptt-user-profile-1.xml`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(other.status).toBe(403);
  });

  it('mcx ue list shows the UEs of the file configured in their home system', async () => {
    const deadline = Date.now() + 30_000;
    let out = '';
    while (Date.now() < deadline) {
      out = (await mcx(eco, 'ue', 'list')).stdout;
      if (/ue-alice\s+alice\s+STABLE\s+mcx-a/.test(out) && /ue-bob\s+bob\s+STABLE\s+mcx-a/.test(out)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(out).toMatch(/ue-alice\s+alice\s+STABLE\s+mcx-a/);
    expect(out).toMatch(/ue-bob\s+bob\s+STABLE\s+mcx-a/);
  });

  it('refuses a second mcx up on the same data directory', async () => {
    await expect(mcx(eco, 'up')).rejects.toMatchObject({ stderr: expect.stringContaining('already runs') });
  });
});

// Whatever signal reaches whichever process (the launcher, mcx itself, npm, a terminal's whole
// foreground job), the ecosystem stops cleanly, once: exit 0, "stopped." once, no runtime file,
// every SQLite database closed (no -wal / -shm left), no server left listening.
const count = (text: string, what: string) => text.split(what).length - 1;
const leftovers = (dataDir: string) => [
  ...(existsSync(join(dataDir, 'run', 'endpoints.json')) ? ['run/endpoints.json'] : []),
  ...readdirSync(dataDir).filter((f) => /-(wal|shm)$/.test(f)),
];
/** Resolves once the output shows the stop has begun (the close is under way), or after 10 s. */
async function stopping(eco: EcosystemProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!eco.output().includes(': stopping...') && Date.now() < deadline) await pause(5);
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const listening = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  );

describe('stopping mcx up', () => {
  it('SIGTERM then SIGINT twice quickly: stops once, cleanly, with exit 0', async () => {
    const running = await startEcosystemProcess();
    // The SIGINTs arrive while it closes, each after the one before was taken (signals sent at
    // once are merged by the kernel, or read together by the event loop, and count as one).
    running.signal('SIGTERM');
    await stopping(running);
    running.signal('SIGINT');
    await pause(30);
    running.signal('SIGINT');
    const code = await running.exited;
    const out = running.output();
    const left = leftovers(running.dataDir);
    await running.stop();
    expect([code, count(out, 'stopped.'), count(out, ': stopping...'), left]).toEqual([0, 1, 1, []]);
    expect(await listening(running.endpoints.console)).toBe(false);
  });

  it('npm start: SIGTERM to npm, then Ctrl-C twice to the whole job, stops the ecosystem it started (nothing orphaned)', async () => {
    const running = await startEcosystemProcess(120_000, [], { npmStart: true, processGroup: true });
    running.signal('SIGTERM');
    await stopping(running);
    await pause(30);
    running.signal('SIGINT', { group: true });
    await pause(30);
    running.signal('SIGINT', { group: true });
    const code = await running.exited;
    const out = running.output();
    const left = leftovers(running.dataDir);
    const consoleUp = await listening(running.endpoints.console);
    const idmsUp = await listening(`${running.endpoints.systems[0]!.idms.issuer}/.well-known/openid-configuration`);
    await running.stop();
    expect([code, count(out, 'stopped.'), count(out, ': stopping...'), left, consoleUp, idmsUp]).toEqual([0, 1, 1, [], false, false]);
  });
});
