import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EcosystemError, ecosystemEndpoints, loadEcosystem, mcpttIdOf, parseEcosystem } from './index.ts';

const demoFile = fileURLToPath(new URL('../../../ecosystem.yaml', import.meta.url));

function problemsOf(text: string) {
  try {
    parseEcosystem(text, 'test.yaml');
  } catch (e) {
    if (e instanceof EcosystemError) return e.problems;
    throw e;
  }
  throw new Error('expected the file to be refused');
}

const minimal = `
systems:
  - id: mcx-a
    name: A
    role: primary
    plmns: ["00101"]
    domain: a.example
    ports: { idms: 1, cms: 2, gms: 3, cmsSip: 4, gmsSip: 5, mcsSip: 6 }
users:
  - username: alice
    password: secret
    home: mcx-a
    profiles: [{ index: 1, name: home }]
`;

describe('the shipped demo ecosystem', () => {
  const eco = loadEcosystem(demoFile);

  it('has mcx-a (primary, PLMN 00101) and mcx-b (partner, PLMN 00102)', () => {
    expect(eco.systems.map((s) => [s.id, s.role, s.plmns[0]])).toEqual([
      ['mcx-a', 'primary', '00101'],
      ['mcx-b', 'partner', '00102'],
    ]);
  });

  it('authorizes alice to migrate to mcx-b and not bob, each with a UE', () => {
    const alice = eco.users.find((u) => u.username === 'alice')!;
    const bob = eco.users.find((u) => u.username === 'bob')!;
    expect(alice.home).toBe('mcx-a');
    expect(alice.migrateTo.map((m) => m.system)).toEqual(['mcx-b']);
    expect(bob.home).toBe('mcx-a');
    expect(bob.migrateTo).toEqual([]);
    expect(eco.ues.map((u) => u.user)).toEqual(expect.arrayContaining(['alice', 'bob']));
    expect(alice.profiles.length).toBeGreaterThanOrEqual(2);
  });

  it('derives endpoints with SIP URIs that name their transport', () => {
    const ep = ecosystemEndpoints(eco);
    expect(ep.console).toBe('http://127.0.0.1:7000');
    const a = ep.systems[0]!;
    expect(a.idms.issuer).toBe('https://127.0.0.1:7101');
    expect(a.cms.xcapRoot).toBe('https://127.0.0.1:7102/xcap-root');
    expect(a.cms.sip).toMatch(/;transport=udp$/);
    expect(a.gms.sipTcp).toMatch(/;transport=tcp$/);
    expect(mcpttIdOf(eco, eco.users[0]!)).toBe('sip:alice@mcx-a.example.net');
  });
});

describe('errors name the line and the field', () => {
  it('accepts a minimal file and fills the defaults', () => {
    const eco = parseEcosystem(minimal);
    expect(eco.systems[0]!.database).toBe('embedded');
    expect(eco.users[0]!.entitlements).toEqual(['mcptt']);
    expect(eco.dataDir).toBe('.data');
    expect(eco.processes).toBe('single');
  });

  it('takes processes: per-system and refuses another layout at its line', () => {
    expect(parseEcosystem(`processes: per-system\n${minimal}`).processes).toBe('per-system');
    const [problem] = problemsOf(`processes: per-user\n${minimal}`);
    expect([problem!.field, problem!.line]).toEqual(['processes', 1]);
  });

  it('refuses an unknown home system at its line', () => {
    const problems = problemsOf(minimal.replace('home: mcx-a', 'home: mcx-z'));
    expect(problems).toEqual([expect.objectContaining({ field: 'users[0].home', line: 12, message: 'unknown system "mcx-z"' })]);
  });

  it('refuses a malformed PLMN id', () => {
    const problems = problemsOf(minimal.replace('"00101"', '"0010"'));
    expect(problems[0]).toMatchObject({ field: 'systems[0].plmns[0]', line: 6 });
  });

  it('points a missing field at its parent', () => {
    const problems = problemsOf(minimal.replace('    password: secret\n', ''));
    expect(problems[0]).toMatchObject({ field: 'users[0].password', line: 10 });
  });

  it('refuses migration to a system that does not trust the home system', () => {
    const two = minimal.replace(
      'users:',
      `  - id: mcx-b
    name: B
    role: partner
    plmns: ["00102"]
    domain: b.example
    ports: { idms: 11, cms: 12, gms: 13, cmsSip: 14, gmsSip: 15, mcsSip: 16 }
users:`,
    ) + '    migrateTo: [{ system: mcx-b }]\n';
    const problems = problemsOf(two);
    expect(problems[0]!.message).toContain('does not trust');
  });

  it('reports YAML syntax errors with a position', () => {
    const problems = problemsOf('systems: [\n  - id: x');
    expect(problems[0]!.field).toBe('(yaml)');
    expect(problems[0]!.line).toBeGreaterThan(0);
  });

  it('refuses an unknown top-level key at its line and column, naming the nearest valid key', () => {
    const text = `${minimal}uez:\n  - { id: ue-alice, user: alice }\n`;
    const problems = problemsOf(text);
    expect(problems).toEqual([
      {
        field: 'uez',
        line: 14,
        column: 1,
        message: 'unknown key "uez": did you mean "ues"? (valid: dataDir, tls, console, ueHost, processes, systems, users, groups, ues)',
      },
    ]);
    expect(() => parseEcosystem(text, 'test.yaml')).toThrow('test.yaml:14:1 uez: unknown key "uez": did you mean "ues"?');
  });

  it('refuses unknown keys deep in the file, each at its own position (flow maps too)', () => {
    const text = minimal
      .replace('    role: primary', '    role: primary\n    plmn: ["00101"]')
      .replace('mcsSip: 6 }', 'mcsSip: 6, mcs_sip: 7 }')
      .replace('{ index: 1, name: home }', '{ index: 1, name: home, preselected: true }');
    expect(problemsOf(text).map((p) => [p.field, p.line, p.column, p.message.replace(/ \(valid: .*\)$/, '')])).toEqual([
      ['systems[0].ports.mcs_sip', 9, 72, 'unknown key "mcs_sip": did you mean "mcsSip"?'],
      ['systems[0].plmn', 6, 5, 'unknown key "plmn": did you mean "plmns"?'],
      ['users[0].profiles[0].preselected', 14, 40, 'unknown key "preselected": did you mean "preSelected"?'],
    ]);
  });

  it('lists the valid keys when none is near the unknown one', () => {
    const [problem] = problemsOf(`${minimal}colour: blue\n`);
    expect(problem!.message).toBe('unknown key "colour" (valid: dataDir, tls, console, ueHost, processes, systems, users, groups, ues)');
  });

  it('refuses two servers on one port', () => {
    const problems = problemsOf(minimal.replace('gms: 3', 'gms: 2'));
    expect(problems[0]).toMatchObject({ field: 'systems[0].ports.gms' });
  });
});
