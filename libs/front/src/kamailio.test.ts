/** The Kamailio configuration, destination list and `dispatcher.list` parsing, without running Kamailio (interop tier). */
import { expect, it } from 'vitest';
import { dispatcherUp, parseDispatcherList, renderDispatcherList, renderKamailioConfig } from './kamailio.ts';

const base = {
  name: 'mcs',
  bind: { host: '127.0.0.1', port: 5070 },
  transports: ['udp', 'tcp'] as ('udp' | 'tcp')[],
  dispatcherList: '/d/mcs.dispatcher.list',
  ctlSocket: '/d/mcs.kamailio.ctl',
  modulesDir: '/mods',
};

it('renders a stateful proxy hashing over the Call-ID, with failover, probing and no record-route', () => {
  const cfg = renderKamailioConfig(base);
  expect(cfg).toMatch(/^listen=udp:127\.0\.0\.1:5070\nlisten=tcp:127\.0\.0\.1:5070$/m);
  expect(cfg).toContain('tcp_rd_buf_size=65536');
  expect(cfg).toContain('mpath="/mods/"');
  for (const m of ['tm', 'sl', 'maxfwd', 'sanity', 'dispatcher', 'ctl'])
    expect(cfg).toContain(`loadmodule "${m}.so"`);
  expect(cfg).toContain('modparam("ctl", "binrpc", "unix:/d/mcs.kamailio.ctl")');
  expect(cfg).toContain('modparam("tm", "fr_timer", 2000)');
  expect(cfg).toContain('modparam("dispatcher", "list_file", "/d/mcs.dispatcher.list")');
  expect(cfg).toContain('modparam("dispatcher", "flags", 2)');
  expect(cfg).toContain('modparam("dispatcher", "ds_ping_interval", 1)');
  expect(cfg).toContain('modparam("dispatcher", "ds_probing_mode", 1)');
  expect(cfg).toContain('modparam("dispatcher", "ds_probing_threshold", 1)');
  expect(cfg).toContain('ds_select_dst("1", "0")');
  expect(cfg).toContain('ds_next_dst()');
  expect(cfg).toContain('ds_mark_dst("ip")');
  expect(cfg).toContain('t_on_failure("NEXT_REPLICA")');
  expect(cfg).not.toMatch(/record_route|loadmodule "rr\.so"/);
  expect(cfg).not.toMatch(/\$r[uUd] *=/); // the Request-URI is never rewritten
});

it('listens on the transports asked for and takes other timers and worker counts', () => {
  const cfg = renderKamailioConfig({ ...base, transports: ['udp'], frTimerMs: 1500, workers: 1 });
  expect(cfg).toContain('listen=udp:127.0.0.1:5070');
  expect(cfg).not.toContain('listen=tcp:');
  expect(cfg).toContain('disable_tcp=yes');
  expect(cfg).toContain('children=1\n');
  expect(cfg).toContain('modparam("tm", "fr_timer", 1500)');
  expect(() => renderKamailioConfig({ ...base, transports: [] })).toThrow(/no transports/);
  expect(() => renderKamailioConfig({ ...base, name: 'm"cs' })).toThrow(/front name/);
});

it('writes every replica into set 1 with its name as duid', () => {
  expect(
    renderDispatcherList([
      { name: 'mcs-1', host: '127.0.0.1', port: 5080 },
      { name: 'mcs-2', host: '::1', port: 5081 },
    ]),
  ).toBe(
    '# setid destination flags priority attrs (written by @mcx/front)\n1 sip:127.0.0.1:5080 0 0 duid=mcs-1\n1 sip:[::1]:5081 0 0 duid=mcs-2\n',
  );
});

it('reads destinations and their states out of kamcmd dispatcher.list', () => {
  const text = `{
\tNRSETS: 1
\tRECORDS: {
\t\tSET: {
\t\t\tID: 1
\t\t\tTARGETS: {
\t\t\t\tDEST: {
\t\t\t\t\tURI: sip:127.0.0.1:5080
\t\t\t\t\tFLAGS: AP
\t\t\t\t\tPRIORITY: 0
\t\t\t\t\tATTRS: {
\t\t\t\t\t\tBODY: duid=mcs-1
\t\t\t\t\t\tDUID: mcs-1
\t\t\t\t\t}
\t\t\t\t}
\t\t\t\tDEST: {
\t\t\t\t\tURI: sip:127.0.0.1:5081
\t\t\t\t\tFLAGS: IP
\t\t\t\t\tPRIORITY: 0
\t\t\t\t}
\t\t\t}
\t\t}
\t}
}
`;
  expect(parseDispatcherList(text)).toEqual([
    { uri: 'sip:127.0.0.1:5080', flags: 'AP' },
    { uri: 'sip:127.0.0.1:5081', flags: 'IP' },
  ]);
  expect(['AP', 'AX', 'TP', 'IP', 'DX'].map(dispatcherUp)).toEqual([true, true, true, false, false]);
});
