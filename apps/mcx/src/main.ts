/**
 * mcx: the command line of the MCX configuration ecosystem.
 * Every command and option is documented in HELP below (`mcx --help`).
 */
import { parseArgs } from 'node:util';
import { endpointsCommand } from './commands/endpoints.ts';
import { tokenCommand } from './commands/token.ts';
import { upCommand } from './commands/up.ts';
import { ueCommand } from './commands/ue.ts';
import { scenarioCommand } from './commands/scenario.ts';
import { benchCommand } from './commands/bench.ts';

export const HELP = `mcx — run and exercise the MCX configuration ecosystem (two MC systems + simulated MCS UEs)

Usage: mcx <command> [options]

Commands
  up [--config FILE] [--db postgres://...] [--no-ues]
        Start every server of both MC systems (IdMS, CMS, GMS, MCS), the UE host and the console,
        seed the databases from the ecosystem file on first start, wait until all are healthy and
        print every endpoint. Ctrl-C / SIGTERM stops everything cleanly. (npm start runs this.)
        --db URL   use PostgreSQL (one database per server instance is created on that server)
        --no-ues   do not start the UEs listed in the file
  endpoints [--json]
        Every endpoint of the running ecosystem (JSON shape: {console, ueHost, systems:[...]}).
  token --system ID --user NAME [--audience cms|gms|mcs] [--password P]
        Print an access token obtained through the real login flow (code + PKCE).
  ue list | ue start --user NAME [--id ID] [--plmn PLMN] | ue plmn ID PLMN | ue show ID | ue stop ID
        Control the simulated UEs of the running ecosystem.
  scenario run FILE... [--json] [--junit FILE] [--timeout-scale N]
        Run declarative scenarios (YAML) against the running ecosystem, or one they start
        themselves when none runs. Exit 0 only when every expectation held.
  bench xcap | sip | idms | cms | gms | migration [--ues N] [--scrypt-cost C] [--profile FILE] [--json]
        Benchmarks (numbers, not pass/fail). "migration" boots both systems with N distinct users
        (passwords hashed at scrypt cost C, default 1024), brings N UEs online in A and changes all
        their PLMNs at once; --profile writes a V8 CPU profile of the migration phase.

Common options
  --config FILE   ecosystem file (default: $MCX_CONFIG, ./ecosystem.yaml, the repository's)
  --help          this text
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      db: { type: 'string' },
      'no-ues': { type: 'boolean' },
      json: { type: 'boolean' },
      junit: { type: 'string' },
      system: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      audience: { type: 'string' },
      id: { type: 'string' },
      plmn: { type: 'string' },
      ues: { type: 'string' },
      'scrypt-cost': { type: 'string' },
      profile: { type: 'string' },
      'timeout-scale': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  switch (command) {
    case 'up':
      return upCommand({ config: values.config, db: values.db, startUes: !values['no-ues'] });
    case 'endpoints':
      endpointsCommand({ config: values.config, json: values.json });
      return 0;
    case 'token':
      await tokenCommand(values);
      return 0;
    case 'ue':
      return ueCommand(positionals, values);
    case 'scenario':
      return scenarioCommand(positionals, values);
    case 'bench':
      return benchCommand(positionals, values);
    default:
      process.stderr.write(`mcx: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined && code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mcx: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
