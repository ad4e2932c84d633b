import { execFile } from 'node:child_process';
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
