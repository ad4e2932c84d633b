/**
 * mcx: the command line of the MCX configuration ecosystem.
 * Every command is listed in HELP below (`mcx --help`); each documents its own options with an
 * example (`mcx <command> --help`, command-help.ts). A command's module is imported when the
 * command runs, so help and the commands that start no server load no server.
 */
import { parseArgs } from 'node:util';
import { COMMAND_HELP } from './command-help.ts';

export const HELP = `mcx — run and exercise the MCX configuration ecosystem (two MC systems + simulated MCS UEs)

Usage: mcx <command> [options]

Commands
  up [--config FILE] [--db postgres://...] [--no-ues] [--fresh] [--processes single|per-system] [--replicas N]
        Start every server of both MC systems (IdMS, CMS, GMS, MCS), the UE host and the console,
        seed the databases from the ecosystem file on first start (on later starts the file's
        groups are put back and what changed is printed), wait until all are healthy and
        print every endpoint. Ctrl-C / SIGTERM stops everything cleanly. (npm start runs this.)
        --db URL   use PostgreSQL (one database per server instance is created on that server)
        --no-ues   do not start the UEs listed in the file
        --fresh    mcx reset first: start from the file's seeded state
        --processes per-system   each MC system in a child process of its own (default: the
                   file's processes:, else single: everything in one process)
        --replicas N   N instances of each system's CMS, GMS and MCS on one PostgreSQL database
                   (needs --db), behind HAProxy (HTTP) and Kamailio (SIP) on the file's ports;
                   instances 2..N each in a child process (default: the file's replicas:, else 1);
                   an instance whose replicaPorts host is another machine's is checked, not started
        --replica K   on that other machine: only instance K (same file, --db, and copies of the
                   first machine's <dataDir>/tls and secrets)
  reset [--config FILE] [--db postgres://...] [--all]
        Remove the seeded state (databases, UE local copies; tls/ and secrets/ kept unless --all)
        so the next mcx up seeds from the file again. Refused while the ecosystem runs.
  endpoints [--json]
        Every endpoint of the running ecosystem (JSON shape: {console, ueHost, systems:[...]}).
  ca
        Path of the lab CA certificate every https endpoint chains to: curl --cacert "$(mcx ca)" ...
  token --system ID --user NAME [--audience cms|gms|mcs] [--password P]
        Print an access token obtained through the real login flow (code + PKCE).
  ue list | ue start --user NAME [--id ID] [--plmn PLMN] | ue plmn ID PLMN | ue show ID | ue stop ID
        Control the simulated UEs of the running ecosystem.
  scenario run DIR|FILE... [--parallel N] [--ue-hosts N | --ue-host URL...] [--json] [--junit FILE] [--timeout-scale N]
        Run declarative scenarios (YAML) against the running ecosystem, or one they start
        themselves when none runs. Exit 0 only when every expectation held. --ue-hosts N puts
        the UEs in N UE host processes (round-robin); --ue-host URL in UE hosts already running.
  ue-host [--config FILE] [--endpoints FILE] [--ca FILE] [--control-token T | --control-token-file F] [--host H] [--port P]
        A UE host of its own (this machine or another) for a running ecosystem: its addresses from
        the runtime file or mcx endpoints --json output, its users from the ecosystem file; prints
        its URL when it listens. Its UEs are created through its control API (curl, UeHostClient).
  bench xcap [--vs kamailio] | sip | idms | cms | gms | migration [--ues N] [--scrypt-cost C] [--profile FILE] [--processes P] [--ue-hosts H] [--db URL] [--replicas R] [--json]
        Benchmarks (numbers, not pass/fail). "migration" boots both systems with N distinct users
        (passwords hashed at scrypt cost C, default 1024), brings N UEs online in A and changes all
        their PLMNs at once; --profile writes a V8 CPU profile of the migration phase (of the
        bench's own process: the servers, and the UEs with --ue-hosts 0); --processes per-system runs each MC system in its own process
        (CPU and peak RSS are then summed over every process); --ue-hosts H runs the UEs in H UE host
        processes, each with a share of them (merged results, per host in ue_hosts; default 1 on a
        machine with two cores or more, 0 = the UE host in the bench's own process); --db
        postgres://... puts the databases on PostgreSQL (fresh mcx_bench_* prefix, dropped at the
        end); --replicas R runs two rounds on PostgreSQL, one instance then R instances of each
        CMS, GMS and MCS behind HAProxy/Kamailio, and reports both rates and their ratio.
  bench faults [--case NAME] [--ues N] [--json]
        Fault cases (database outage, kill -9, large upload...) on their own ecosystem; one JSON
        report per case with what it counted; exit 1 when a case missed its goal.
  bench soak [--ues N] [--minutes M] [--heap-snapshot DIR] [--json]
        N UEs (default 50) migrate back and forth for M minutes (default 10); memory of the process
        sampled every 10 s after a forced GC: growth and slope after the warm-up (the first 20%),
        and after the UEs are removed; --heap-snapshot writes V8 heap snapshots at warm-up and end.

Common options
  --config FILE   ecosystem file (default: $MCX_CONFIG, ./ecosystem.yaml, the repository's)
  --help          this text; mcx <command> --help: that command's options and an example

Environment
  MCX_MEMORY=lean less memory for more CPU (V8 heap growth 1.5x, 32 MB semi-spaces); default fast
  MCX_LOG=LEVEL   the servers' log level (default warn)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    const about = command === 'help' && rest[0] ? COMMAND_HELP[rest[0]] : undefined;
    process.stdout.write(about ?? HELP);
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
      case: { type: 'string' },
      system: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      audience: { type: 'string' },
      id: { type: 'string' },
      plmn: { type: 'string' },
      ues: { type: 'string' },
      'scrypt-cost': { type: 'string' },
      minutes: { type: 'string' },
      'heap-snapshot': { type: 'string' },
      profile: { type: 'string' },
      'timeout-scale': { type: 'string' },
      fresh: { type: 'boolean' },
      all: { type: 'boolean' },
      parallel: { type: 'string' },
      processes: { type: 'string' },
      'ue-hosts': { type: 'string' },
      'ue-host': { type: 'string', multiple: true },
      'ue-host-token-file': { type: 'string' },
      replicas: { type: 'string' },
      replica: { type: 'string' },
      endpoints: { type: 'string' },
      ca: { type: 'string' },
      'control-token': { type: 'string' },
      'control-token-file': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'sip-port': { type: 'string' },
      'data-dir': { type: 'string' },
      vs: { type: 'string' },
      members: { type: 'string' },
      transport: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(COMMAND_HELP[command] ?? HELP);
    return 0;
  }
  switch (command) {
    case 'up': {
      if (values.replica !== undefined) {
        if (!/^[2-8]$/.test(values.replica)) throw new Error('--replica takes 2 to 8 (instance 1 runs with mcx up itself)');
        const { upReplica } = await import('./commands/up-replica.ts');
        return upReplica({ config: values.config, db: values.db, replica: Number(values.replica) });
      }
      const { upCommand } = await import('./commands/up.ts');
      return upCommand({ config: values.config, db: values.db, startUes: !values['no-ues'], fresh: values.fresh, processes: values.processes, replicas: values.replicas });
    }
    case 'system-process': {
      // Not a user command: one MC system in a child process of `mcx up --processes per-system`.
      const { runSystemProcess } = await import('./ecosystem/system-process.ts');
      return runSystemProcess();
    }
    case 'ue-host': {
      const { ueHostCommand } = await import('./commands/ue-host.ts');
      return ueHostCommand(values);
    }
    case 'ue-host-process': {
      // Not a user command: one UE host in a child process of `mcx bench migration --ue-hosts N`.
      const { runUeHostProcess } = await import('./ecosystem/ue-host-process.ts');
      return runUeHostProcess();
    }
    case 'reset': {
      const { resetCommand } = await import('./commands/reset.ts');
      return resetCommand({ config: values.config, db: values.db, all: values.all });
    }
    case 'endpoints': {
      const { endpointsCommand } = await import('./commands/endpoints.ts');
      endpointsCommand({ config: values.config, json: values.json });
      return 0;
    }
    case 'ca': {
      const { caCommand } = await import('./commands/ca.ts');
      await caCommand(values);
      return 0;
    }
    case 'token': {
      const { tokenCommand } = await import('./commands/token.ts');
      await tokenCommand(values);
      return 0;
    }
    case 'ue': {
      const { ueCommand } = await import('./commands/ue.ts');
      return ueCommand(positionals, values);
    }
    case 'scenario': {
      const { scenarioCommand } = await import('./commands/scenario.ts');
      return scenarioCommand(positionals, values);
    }
    case 'bench': {
      const { benchCommand } = await import('./commands/bench.ts');
      return benchCommand(positionals, values);
    }
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
