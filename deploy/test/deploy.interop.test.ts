/**
 * The deployment files (deploy/README.md "What CI checks"), checked with what runs on a machine without
 * a Docker daemon:
 *  - deploy/ecosystem.yaml loads with the real loader (@mcx/ecosystem), and it, compose.yaml and the
 *    Dockerfile agree: the host name the systems bind and advertise is the container's hostname and
 *    network alias; every port compose publishes is a port of the file (same number outside and in,
 *    since the URLs carry it) and every port of the file is published and EXPOSEd (SIP on UDP and TCP);
 *    the UE host API is not published; the data directory is the image's volume;
 *  - Debian's docker-compose validates compose.yaml (`config -q`) and resolves the same ports;
 *  - the Dockerfile, parsed here (our own lint: hadolint is not in Debian): its stages, every COPY source
 *    exists in the build context and is not excluded by .dockerignore, `--from` names an earlier stage,
 *    the files ENTRYPOINT and HEALTHCHECK run are in the image, the npm scripts it runs exist;
 *  - deploy/healthcheck.mjs (the image's HEALTHCHECK) against a real `mcx up` of a copy of
 *    deploy/ecosystem.yaml (loopback, free ports, a temporary data directory): unhealthy before, healthy
 *    while it runs, unhealthy after it stopped.
 * Not here (no daemon, no registry): building the image, starting the containers, PostgreSQL 15 in a
 * container, reaching the ports from another machine.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseDocument } from 'yaml';
import { loadEcosystem, type Ecosystem } from '@mcx/ecosystem';

const here = path.dirname(fileURLToPath(import.meta.url));
const deployDir = path.join(here, '..');
const root = path.join(deployDir, '..');
const COMPOSE = process.env.DOCKER_COMPOSE ?? 'docker-compose';

// ---- the files ------------------------------------------------------------------------------------------

const ecosystem: Ecosystem = loadEcosystem(path.join(deployDir, 'ecosystem.yaml'));

/** compose.yaml's `${VAR:-default}` / `${VAR}` interpolation with the defaults (no variable set). */
function interpolate(text: string): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
}
interface ComposeService {
  hostname?: string;
  networks?: Record<string, { aliases?: string[] }>;
  ports?: string[];
  volumes?: string[];
  command?: string[];
  profiles?: string[];
  build?: { context: string; dockerfile: string };
}
const compose = parseYaml(interpolate(readFileSync(path.join(deployDir, 'compose.yaml'), 'utf8'))) as {
  services: Record<string, ComposeService>;
};
const mcx = compose.services['mcx'] as ComposeService;

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
/** Dockerfile instructions: comments dropped, `\` continuations joined (the Dockerfile reference's syntax). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending && line.trimStart().startsWith('#')) return;
    const piece = line.endsWith('\\') ? line.slice(0, -1) : line;
    pending = pending ? { text: `${pending.text} ${piece.trim()}`, line: pending.line } : { text: piece.trim(), line: i + 1 };
    if (!line.endsWith('\\')) {
      const m = /^(\S+)\s*(.*)$/.exec(pending.text) as RegExpExecArray;
      out.push({ keyword: (m[1] as string).toUpperCase(), args: (m[2] as string).trim(), line: pending.line });
      pending = undefined;
    }
  });
  if (pending) throw new Error(`Dockerfile: a continuation at line ${pending.line} never ends`);
  return out;
}
const dockerfile = parseDockerfile(readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8'));
const stages: { name: string; image: string; instructions: Instruction[] }[] = [];
for (const ins of dockerfile) {
  if (ins.keyword === 'FROM') {
    const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
    if (!m) throw new Error(`Dockerfile:${ins.line}: FROM ${ins.args}`);
    stages.push({ image: m[1] as string, name: m[2] ?? String(stages.length), instructions: [] });
  } else {
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile:${ins.line}: ${ins.keyword} before FROM`);
    stage.instructions.push(ins);
  }
}
const runtime = stages.at(-1) as (typeof stages)[number];
const envOf = (stage: (typeof stages)[number]): Record<string, string> =>
  Object.fromEntries(
    stage.instructions
      .filter((i) => i.keyword === 'ENV')
      .flatMap((i) => [...i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g)].map((m) => [m[1], m[2]])),
  );

/** .dockerignore as the builder reads it: patterns relative to the context root, `**` any depth, `!` re-includes. */
const ignorePatterns = readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const negate = l.startsWith('!');
    const p = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
    const re = p
      .split('/')
      .map((seg) => (seg === '**' ? '(?:.*/)?' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '/'))
      .join('');
    return { negate, re: new RegExp(`^${re.replace(/\/$/, '')}(?:/.*)?$`) };
  });
function ignored(relPath: string): boolean {
  let out = false;
  for (const p of ignorePatterns) if (p.re.test(relPath)) out = !p.negate;
  return out;
}

/** Every port of the ecosystem file the outside needs, as "port/proto". */
function ecosystemPorts(eco: Ecosystem): string[] {
  const ports = [`${eco.console.port}/tcp`];
  for (const s of eco.systems) {
    ports.push(`${s.ports.idms}/tcp`, `${s.ports.cms}/tcp`, `${s.ports.gms}/tcp`);
    for (const p of [s.ports.cmsSip, s.ports.gmsSip, s.ports.mcsSip]) ports.push(`${p}/udp`, `${p}/tcp`);
  }
  return ports.sort();
}
/** "addr:host:container/proto" (short syntax) → the published container port "container/proto", host port = container port checked. */
function publishedPorts(ports: string[]): string[] {
  return ports
    .map((spec) => {
      const m = /^(?:(.+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(spec);
      if (!m) throw new Error(`compose port "${spec}": expected [address:]host:container[/proto]`);
      expect(m[2], `compose port "${spec}": the URLs carry the port, so the outside must use the same one`).toBe(m[3]);
      return `${m[3]}/${m[4] ?? 'tcp'}`;
    })
    .sort();
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// ---- the checks ------------------------------------------------------------------------------------------

describe('deploy/ecosystem.yaml and compose.yaml agree', () => {
  it('loads with the real loader; every system binds and advertises the container hostname, which other containers resolve', () => {
    expect(ecosystem.systems.map((s) => s.id)).toEqual(['mcx-a', 'mcx-b']);
    const hosts = new Set(ecosystem.systems.map((s) => s.host));
    expect([...hosts]).toEqual([mcx.hostname]);
    expect(mcx.networks?.['default']?.aliases).toContain(mcx.hostname);
    // TLS on (the documents carry https URIs with this name; the lab CA issues its certificate).
    expect(ecosystem.systems.every((s) => s.tls)).toBe(true);
    // No ephemeral port: the URLs outside must be stable across restarts.
    for (const s of ecosystem.systems) expect(Object.values(s.ports).every((p) => p > 0)).toBe(true);
    expect(ecosystem.console.host).toBe('0.0.0.0');
    expect(ecosystem.ueHost.host).toBe('127.0.0.1');
  });

  it('publishes every port of the file, under the same number, and nothing else (not the UE host API)', () => {
    expect(publishedPorts(mcx.ports ?? [])).toEqual(ecosystemPorts(ecosystem));
    expect(publishedPorts(mcx.ports ?? [])).not.toContain(`${ecosystem.ueHost.port}/tcp`);
  });

  it('mounts this ecosystem file where the image reads it, and the data volume at its dataDir', () => {
    const env = envOf(runtime);
    expect(mcx.volumes).toContain(`./ecosystem.yaml:${env['MCX_CONFIG']}:ro`);
    expect(mcx.volumes).toContain(`mcx-data:${ecosystem.dataDir}`);
    expect(env['MCX_DATA_DIR']).toBe(ecosystem.dataDir);
    expect(mcx.command?.slice(0, 2)).toEqual(['up', '--db']);
    expect(mcx.command?.[2]).toMatch(/^postgres:\/\/postgres:[^@]+@db:5432\/postgres$/);
    expect(mcx.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    // The second UE host is opt-in (a profile) and reads the ecosystem's files from the same volume.
    const ueHost = compose.services['ue-host'] as ComposeService;
    expect(ueHost.profiles).toEqual(['ue-host']);
    expect(ueHost.volumes).toContain(`mcx-data:${ecosystem.dataDir}:ro`);
    expect(ueHost.command?.[0]).toBe('ue-host');
  });

  it("Debian's docker-compose validates compose.yaml and resolves the same ports, also with MCX_PUBLISH_ADDRESS", async () => {
    const quiet = await run(COMPOSE, ['-f', 'deploy/compose.yaml', 'config', '-q']);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
    for (const address of [undefined, '127.0.0.1']) {
      const out = await run(COMPOSE, ['-f', 'deploy/compose.yaml', '--profile', 'ue-host', 'config'], address ? { MCX_PUBLISH_ADDRESS: address } : {});
      expect(out.code, out.stderr).toBe(0);
      const resolved = parseYaml(out.stdout) as { services: Record<string, ComposeService> };
      expect(Object.keys(resolved.services).sort()).toEqual(['db', 'mcx', 'ue-host']);
      const ports = (resolved.services['mcx']?.ports ?? []).map(String);
      expect(publishedPorts(ports)).toEqual(ecosystemPorts(ecosystem));
      expect(ports.every((p) => p.startsWith(`${address ?? '0.0.0.0'}:`))).toBe(true);
    }
  });

  it('docker-compose refuses a broken file (the check above can fail)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcx-deploy-'));
    try {
      const broken = readFileSync(path.join(deployDir, 'compose.yaml'), 'utf8').replace('condition: service_healthy', 'condition: when_it_feels_like_it');
      writeFileSync(path.join(dir, 'compose.yaml'), broken);
      const out = await run(COMPOSE, ['-f', path.join(dir, 'compose.yaml'), 'config', '-q']);
      expect(out.code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/Dockerfile', () => {
  it('builds on node:20-bookworm-slim in two stages; the runtime has no compiler, runs as a non-root user', () => {
    expect(stages.map((s) => [s.name, s.image])).toEqual([
      ['build', 'node:20-bookworm-slim'],
      ['runtime', 'node:20-bookworm-slim'],
    ]);
    const runtimeRuns = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    expect(runtimeRuns).not.toMatch(/\b(g\+\+|gcc|make|python3)\b/);
    // `mcx up --replicas` runs HAProxy and Kamailio from PATH.
    expect(runtimeRuns).toMatch(/apt-get install[^\n]*\bhaproxy\b/);
    expect(runtimeRuns).toMatch(/apt-get install[^\n]*\bkamailio\b/);
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1);
    expect(user?.args).toBe('node');
    expect(runtime.instructions.find((i) => i.keyword === 'VOLUME')?.args).toBe(JSON.stringify([ecosystem.dataDir]));
  });

  it('EXPOSEs exactly the ports compose publishes', () => {
    const exposed = runtime.instructions
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/))
      .map((p) => (p.includes('/') ? p : `${p}/tcp`))
      .sort();
    expect(exposed).toEqual(publishedPorts(mcx.ports ?? []));
  });

  it('every COPY source exists in the build context and is not excluded by .dockerignore; --from names an earlier stage', () => {
    const copies = dockerfile.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    expect(copies.length).toBeGreaterThan(0);
    for (const ins of copies) {
      expect(ins.keyword, `Dockerfile:${ins.line}: COPY, not ADD`).toBe('COPY');
      const words = ins.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const [dest, ...sources] = words.filter((w) => !w.startsWith('--')).reverse();
      expect(dest, `Dockerfile:${ins.line}`).toBeTruthy();
      if (from) {
        const index = stages.findIndex((s) => s.name === from);
        expect(index, `Dockerfile:${ins.line}: --from=${from}`).toBeGreaterThanOrEqual(0);
        expect(index).toBeLessThan(stages.length - 1);
        continue;
      }
      for (const src of sources) {
        if (src === '.') continue;
        expect(existsSync(path.join(root, src)), `Dockerfile:${ins.line}: ${src} is not in the build context`).toBe(true);
        expect(ignored(src), `Dockerfile:${ins.line}: ${src} is excluded by .dockerignore`).toBe(false);
      }
    }
  });

  it(".dockerignore keeps out what the build makes and keeps in what it needs (npm ci, postinstall, the image's files)", () => {
    for (const p of ['node_modules', 'apps/mcx/node_modules', 'apps/mcx/dist', 'libs/db/dist', '.data', 'e2e/test-results', '.git', 'libs/db/src/generated'])
      expect(ignored(p), p).toBe(true);
    for (const p of ['package.json', 'package-lock.json', 'scripts/build-dist.mjs', 'apps/mcx/bin/mcx.js', 'apps/mcx/src/main.ts', 'libs/db/scripts', 'prisma/models.prisma', 'apps/console/src/ui', 'deploy/ecosystem.yaml', 'deploy/healthcheck.mjs'])
      expect(ignored(p), p).toBe(false);
  });

  it('ENTRYPOINT and HEALTHCHECK run files of the image; the npm scripts and workspaces it names exist', () => {
    const inImage = (p: string) => path.join(root, path.relative('/app', p));
    const entry = JSON.parse(runtime.instructions.find((i) => i.keyword === 'ENTRYPOINT')?.args ?? '[]') as string[];
    expect(entry[0]).toBe('node');
    expect(existsSync(inImage(entry[1] as string))).toBe(true);
    const health = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
    const cmd = JSON.parse(health.slice(health.indexOf('CMD') + 3).trim()) as string[];
    expect(cmd[0]).toBe('node');
    expect(existsSync(inImage(cmd[1] as string))).toBe(true);
    expect(JSON.parse(runtime.instructions.find((i) => i.keyword === 'CMD')?.args ?? '[]')).toEqual(['up']);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['postinstall']).toContain('build-dist.mjs');
    const consolePkg = JSON.parse(readFileSync(path.join(root, 'apps/console/package.json'), 'utf8')) as { name: string; scripts: Record<string, string> };
    const build = stages[0]?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n') ?? '';
    expect(build).toContain(`npm run build -w ${consolePkg.name}`);
    expect(consolePkg.scripts['build']).toBeTruthy();
    expect(build).toMatch(/npm ci\b/);
    // The tree the runtime copies is the one the build stage made (WORKDIR), and the runtime runs there.
    expect(stages[0]?.instructions.find((i) => i.keyword === 'WORKDIR')?.args).toBe('/app');
    expect(runtime.instructions.find((i) => i.keyword === 'WORKDIR')?.args).toBe('/app');
  });
});

describe('deploy/healthcheck.mjs against a real mcx up of the deployment file', () => {
  let dir = '';
  let up: ChildProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcx-deploy-'));
  });
  afterAll(async () => {
    if (up && up.exitCode === null) {
      up.kill('SIGTERM');
      await new Promise((r) => up?.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const healthcheck = () => run(process.execPath, [path.join(deployDir, 'healthcheck.mjs')], { MCX_DATA_DIR: path.join(dir, 'data') });

  it('unhealthy before the start, healthy while every server answers, unhealthy after the stop', async () => {
    // The deployment file on this machine: loopback instead of the container's name, free ports.
    const doc = parseDocument(readFileSync(path.join(deployDir, 'ecosystem.yaml'), 'utf8'));
    doc.set('dataDir', path.join(dir, 'data'));
    doc.setIn(['console'], { host: '127.0.0.1', port: 0 });
    doc.setIn(['ueHost'], { host: '127.0.0.1', port: 0 });
    ecosystem.systems.forEach((_s, i) => {
      doc.setIn(['systems', i, 'host'], '127.0.0.1');
      doc.setIn(['systems', i, 'ports'], { idms: 0, cms: 0, gms: 0, cmsSip: 0, gmsSip: 0, mcsSip: 0 });
      doc.setIn(['systems', i, 'passwordHashCost'], 1024);
    });
    const file = path.join(dir, 'ecosystem.yaml');
    writeFileSync(file, doc.toString());

    const before = await healthcheck();
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/unhealthy: no endpoints file/);

    up = spawn(process.execPath, [path.join(root, 'apps/mcx/bin/mcx.js'), 'up', '--config', file, '--no-ues'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MCX_LOG: 'warn' },
    });
    let output = '';
    up.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    up.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mcx up not ready in 150 s:\n${output}`)), 150_000);
      up?.stdout?.on('data', () => {
        if (/Ready in \d+ ms/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      up?.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mcx up exited (${code}):\n${output}`));
      });
    });

    const healthy = await healthcheck();
    expect(healthy.stderr).toBe('');
    expect(healthy.code).toBe(0);
    expect(healthy.stdout.trim()).toBe('healthy: console, mcx-a IdMS, mcx-a CMS, mcx-a GMS, mcx-b IdMS, mcx-b CMS, mcx-b GMS');

    const endpointsFile = path.join(dir, 'data', 'run', 'endpoints.json');
    const endpoints = readFileSync(endpointsFile, 'utf8');

    up.kill('SIGTERM');
    expect(await new Promise((r) => up?.once('exit', (code) => r(code)))).toBe(0);
    const after = await healthcheck();
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/unhealthy: no endpoints file/);
    // An endpoints file whose servers are gone (a crash that left it): every server named as unreachable.
    writeFileSync(endpointsFile, endpoints);
    const gone = await healthcheck();
    expect(gone.code).toBe(1);
    expect(gone.stderr.match(/ECONNREFUSED/g)).toHaveLength(7);
  });
});
