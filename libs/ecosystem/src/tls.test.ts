import { describe, expect, it } from 'vitest';
import { ecosystemEndpoints, parseEcosystem } from './index.ts';

const file = (top: string, bTls = '') => `
${top}
systems:
  - id: mcx-a
    name: A
    role: primary
    plmns: ['00101']
    domain: a.example
    ports: { idms: 7101, cms: 7102, gms: 7103, cmsSip: 5102, gmsSip: 5103, mcsSip: 5104 }
  - id: mcx-b
    name: B
    role: partner
    plmns: ['00102']
    domain: b.example
    ports: { idms: 7201, cms: 7202, gms: 7203, cmsSip: 5202, gmsSip: 5203, mcsSip: 5204 }
${bTls}
`;

describe('tls in the ecosystem file', () => {
  it('is on by default: every MC system endpoint is https, the console and the UE host stay http', () => {
    const e = ecosystemEndpoints(parseEcosystem(file('')));
    const a = e.systems[0]!;
    expect([a.idms.issuer, a.cms.xcapRoot, a.gms.xcapRoot, a.admin, a.gmsAdmin]).toEqual([
      'https://127.0.0.1:7101',
      'https://127.0.0.1:7102/xcap-root',
      'https://127.0.0.1:7103/xcap-root',
      'https://127.0.0.1:7102/admin',
      'https://127.0.0.1:7103/admin',
    ]);
    expect([e.console, e.ueHost]).toEqual(['http://127.0.0.1:7000', 'http://127.0.0.1:7001']);
  });

  it('tls: false at the top makes every system plain http; a system entry overrides the top', () => {
    const off = parseEcosystem(file('tls: false'));
    expect(off.systems.map((s) => s.tls)).toEqual([false, false]);
    expect(ecosystemEndpoints(off).systems.map((s) => s.idms.issuer)).toEqual(['http://127.0.0.1:7101', 'http://127.0.0.1:7201']);
    const mixed = parseEcosystem(file('tls: false', '').replace('    domain: b.example\n', '    domain: b.example\n    tls: true\n'));
    expect(ecosystemEndpoints(mixed).systems.map((s) => s.idms.issuer)).toEqual(['http://127.0.0.1:7101', 'https://127.0.0.1:7201']);
  });

  it('refuses a tls that is not a boolean, naming the field', () => {
    expect(() => parseEcosystem(file('tls: sometimes'), 'test.yaml')).toThrow(/tls/);
  });
});
