/** The HAProxy configuration and `show stat` parsing, without running HAProxy (that is the interop tier). */
import { expect, it } from 'vitest';
import { haproxyServerUp, parseShowStat, renderHaproxyConfig } from './haproxy.ts';

const backends = [
  { name: 'cms-1', host: '127.0.0.1', port: 8443 },
  { name: 'cms-2', host: '::1', port: 8444 },
];

it('renders a TCP-mode front with fast checks, redispatch and the stats socket', () => {
  const cfg = renderHaproxyConfig({
    name: 'cms',
    bind: { host: '127.0.0.1', port: 443 },
    backends,
    statsSocket: '/d/cms.haproxy.sock',
  });
  expect(cfg).toContain('stats socket /d/cms.haproxy.sock mode 600 level admin');
  expect(cfg).toMatch(/^ {2}mode tcp$/m);
  expect(cfg).toMatch(/^ {2}retries 2$/m);
  expect(cfg).toMatch(/^ {2}option redispatch 1$/m);
  expect(cfg).toMatch(/^frontend cms\n {2}bind 127\.0\.0\.1:443\n {2}default_backend cms_replicas$/m);
  expect(cfg).toMatch(/^backend cms_replicas\n {2}balance leastconn$/m);
  expect(cfg).toMatch(/default-server inter 500 .*fall 2 rise 2/);
  expect(cfg).toContain('  server cms-1 127.0.0.1:8443 check\n');
  expect(cfg).toContain('  server cms-2 [::1]:8444 check\n');
  expect(
    renderHaproxyConfig({
      name: 'cms',
      bind: { host: '127.0.0.1', port: 443 },
      backends,
      statsSocket: '/s',
      balance: 'roundrobin',
    }),
  ).toMatch(/balance roundrobin/);
});

it('refuses names and addresses that would need quoting, duplicates and an empty backend list', () => {
  const base = { name: 'cms', bind: { host: '127.0.0.1', port: 443 }, backends, statsSocket: '/s' };
  expect(() => renderHaproxyConfig({ ...base, name: 'c ms' })).toThrow(/front name/);
  expect(() =>
    renderHaproxyConfig({ ...base, backends: [{ name: 'a\nb', host: '127.0.0.1', port: 1 }] }),
  ).toThrow(/backend name/);
  expect(() => renderHaproxyConfig({ ...base, backends: [backends[0]!, backends[0]!] })).toThrow(
    /two backends named cms-1/,
  );
  expect(() => renderHaproxyConfig({ ...base, backends: [] })).toThrow(/no backends/);
  expect(() => renderHaproxyConfig({ ...base, bind: { host: '127.0.0.1', port: 70000 } })).toThrow(
    /bad port/,
  );
});

it('reads server states out of show stat', () => {
  const csv =
    '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight\n' +
    'cms,FRONTEND,,,0,1,,,,,,,,,,,,OPEN,\n' +
    'cms_replicas,cms-1,0,0,0,1,,3,,,,,,,,,,UP,1\n' +
    'cms_replicas,cms-2,0,0,0,1,,3,,,,,,,,,,DOWN 1/2,1\n' +
    'cms_replicas,BACKEND,0,0,0,1,,6,,,,,,,,,,UP,2\n\n';
  const rows = parseShowStat(csv);
  expect(rows.filter((r) => r.pxname === 'cms_replicas').map((r) => [r.svname, r.status])).toEqual([
    ['cms-1', 'UP'],
    ['cms-2', 'DOWN 1/2'],
    ['BACKEND', 'UP'],
  ]);
  expect(['UP', 'UP 1/2', 'DOWN', 'DOWN 1/2', 'MAINT', 'NOLB'].map(haproxyServerUp)).toEqual([
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  expect(() => parseShowStat('Unknown command\n')).toThrow(/unexpected show stat/);
});
