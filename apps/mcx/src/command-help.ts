/**
 * `mcx <command> --help` (and `mcx help <command>`): each command's own options, with an example.
 * The overview of every command is HELP in main.ts. Kept free of imports so that help answers
 * without loading any server.
 */

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  up: `Usage: mcx up [--config FILE] [--db postgres://...] [--no-ues] [--fresh] [--processes single|per-system]

Start every server of both MC systems (IdMS, CMS, GMS, MCS), the UE host and the console, seed the
databases from the ecosystem file on first start, wait until all are healthy and print every
endpoint. Ctrl-C, SIGTERM or SIGHUP stops everything cleanly, once. (npm start runs this.)
On a later start the file's groups are reconciled: display name, priority and members that differ
from the file are put back (subscribed UEs get a NOTIFY) and each change is printed
("mcx-a: group sip:fire-a@...: member sip:carol@... added"). Accounts and profiles that exist are
left as they are (admin and UE edits survive); mcx reset or --fresh puts them back.

Options
  --config FILE   ecosystem file (default: $MCX_CONFIG, ./ecosystem.yaml, the repository's)
  --db URL        use PostgreSQL (one database per server instance is created on that server)
  --no-ues        do not start the UEs listed in the file
  --fresh         mcx reset first (databases and UE local copies removed), then start
  --processes P   single: every server, the UE host and the console in this process; per-system:
                  each MC system (IdMS, CMS, GMS, MCS) in a child process of its own, the UE host
                  and the console here. Default: the file's processes:, else single. A system's
                  process that dies is reported and everything stops (exit 1)

Example
  mcx up --processes per-system
  mcx up --db postgres://postgres@127.0.0.1:5432/postgres --no-ues
`,
  'ue-host': `Usage: mcx ue-host [--config FILE] [--endpoints FILE] [--ca FILE] [--control-token T | --control-token-file F]
                   [--host H] [--port P] [--sip-port P] [--data-dir DIR]

Run a UE host of its own (in this process) for a running ecosystem, on this machine or another:
it owns the UEs created through its control API (docs/ue-host-api.md: mcx ue does not reach it,
curl or a UeHostClient does), as the UE host of mcx up does. Prints "UE host listening: URL" when
ready; Ctrl-C, SIGTERM or SIGHUP stops it (its UEs un-subscribe and de-register).

Options
  --config FILE             ecosystem file: the users the UEs log in as (and, by default, the data
                            directory the addresses, CA and control secret come from)
  --endpoints FILE          the ecosystem's addresses: the runtime file <dataDir>/run/endpoints.json
                            or mcx endpoints --json output (default: the running ecosystem's runtime file)
  --ca FILE                 the lab CA the MC systems' certificates chain to (default <dataDir>/tls/ca.pem)
  --control-token T         the control API's bearer secret (at least 16 characters)
  --control-token-file F    the same, read from a file (default: the lab control secret
                            <dataDir>/secrets/control-token)
  --host H                  address to bind and to put in the UEs' SIP Contact: one the MC systems
                            reach (default 127.0.0.1; not 0.0.0.0)
  --port P                  control API port (default 0: ephemeral, see the printed URL)
  --sip-port P              SIP port of the host (UDP and TCP; default 0: ephemeral)
  --data-dir DIR            the UEs' protected local copies (default: a temporary directory, removed at stop)

Example (another machine; the ecosystem's servers listen on 192.0.2.10)
  mcx endpoints --json > endpoints.json; cp "$(mcx ca)" ca.pem      # on the ecosystem's machine
  mcx ue-host --config ecosystem.yaml --endpoints endpoints.json --ca ca.pem \\
    --control-token-file control-token --host 192.0.2.20 --port 7011
`,
  reset: `Usage: mcx reset [--config FILE] [--db postgres://...] [--all]

Put the seeded state back: remove the databases of every server instance (<dataDir>/<system>-<app>.db
with -wal/-shm) and the UE host's data folder (the UEs' local copies), so the next mcx up seeds
accounts, profiles and groups from the ecosystem file again. Prints what it removed. The lab CA
(<dataDir>/tls) and the generated credentials (<dataDir>/secrets) are kept. Refused while an
ecosystem runs on that data directory (stop it first).

Options
  --config FILE   ecosystem file (its data directory is reset)
  --db URL        also drop the databases mcx up --db URL created on that PostgreSQL server
  --all           remove the whole data directory's contents, lab CA and credentials included

Example
  mcx reset --config ecosystem.yaml && mcx up
`,
  ca: `Usage: mcx ca [--config FILE]

Print the path of the lab certificate authority's certificate (<dataDir>/tls/ca.pem). Every https
endpoint of the MC systems (IdMS, CMS, GMS, admin APIs) has a certificate issued by it; mcx up creates
it on first start (mcx ca creates it when none exists yet). Its key stays in <dataDir>/tls/ca-key.pem (0600).

Options
  --config FILE   ecosystem file (its data directory holds the CA)

Example
  mcx ca --config ecosystem.yaml
  curl --cacert "$(mcx ca)" https://127.0.0.1:7101/.well-known/openid-configuration
`,
  endpoints: `Usage: mcx endpoints [--json] [--config FILE]

Every endpoint of the running ecosystem: console, UE host, and per MC system its IdMS issuer, XCAP
roots, SIP URIs and admin API. JSON shape: {console, ueHost, systems:[...]}.

Options
  --json          print JSON instead of a table
  --config FILE   ecosystem file of the running ecosystem

Example
  mcx endpoints --json | jq -r '.systems[0].cms.xcapRoot'
`,
  token: `Usage: mcx token --user NAME [--system ID] [--audience cms|gms|mcs] [--password P] [--config FILE]

Print an access token obtained through the real login flow (authorization code + PKCE at the IdMS
of the user's home MC system), for curl.

Options
  --user NAME       the MC user (password from the ecosystem file unless --password)
  --system ID       the MC system whose IdMS issues it: the user's home (default: the first system)
  --audience AUD    narrow the token to one server: cms, gms or mcs
  --password P      for an account that is not in the ecosystem file

Example
  curl -H "Authorization: Bearer $(mcx token --system mcx-a --user alice --audience cms)" \\
    "$(mcx endpoints --json | jq -r '.systems[0].cms.xcapRoot')/org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml"
`,
  ue: `Usage: mcx ue list | start --user NAME [--id ID] [--plmn PLMN] | plmn ID PLMN | show ID | stop ID

Control the simulated UEs of the running ecosystem through the UE host.

Subcommands
  list                       every UE: state, system, PLMN, active profile, last event or error
  start --user NAME          start a UE for the user (--id ID, --plmn PLMN, --password P)
  plmn ID PLMN               change the registered PLMN (a migration, the return home)
  show ID                    the UE's snapshot as JSON
  stop ID                    stop the UE (it un-subscribes and de-registers)

Options
  --json          print JSON (list)
  --config FILE   ecosystem file of the running ecosystem

Example
  mcx ue start --user carol --id ue-carol && mcx ue plmn ue-carol 00102 && mcx ue show ue-carol
`,
  scenario: `Usage: mcx scenario run DIR|FILE... [--parallel N] [--ue-hosts N | --ue-host URL...] [--json] [--junit FILE] [--timeout-scale N] [--config FILE]

Run declarative scenarios (YAML) against the running ecosystem, or one they start themselves when
none runs. Every file is checked first (unknown steps and keys, UE states, protocols, peers).
Exit 0 only when every expectation held.

Options
  --parallel N        run up to N scenarios at once (default 1); a summary table follows
  --json              print the results as JSON
  --junit FILE        write a JUnit XML report
  --timeout-scale N   multiply every "within" (slow machines)
  --ue-hosts N        run the UEs in N UE host processes started here (N >= 2; 1 = the ecosystem's
                      own UE host): each UE a scenario creates goes to the next one, round-robin, and
                      every step on it to its host; the JSON names each UE's host (ue_hosts, ue_host)
  --ue-host URL       a UE host already running for the running ecosystem (mcx ue-host, here or on
                      another machine); repeat for several; instead of --ue-hosts
  --ue-host-token-file F  their control secret (default: the ecosystem's, mcx ue-host's default)

Fault steps (stop_server, start_server) need an ecosystem the command starts itself (none running).
With several UE hosts, the MCS-to-MCS leg of migration authorization (TS 23.280 10.6.3) is not in
the UEs' message logs: an expect_message on it (scenario 08) needs the ecosystem's own UE host.

Example
  mcx scenario run scenarios --parallel 2 --junit test-results/scenarios.xml
`,
  bench: `Usage: mcx bench xcap | sip | idms | cms | gms | migration [--ues N] [--scrypt-cost C] [--profile FILE] [--processes P] [--ue-hosts H] [--db URL] [--replicas R] [--json]

Benchmarks (numbers, not pass/fail). xcap, sip, idms, cms and gms run the package's own benchmark;
"migration" boots both systems with N distinct users (passwords hashed at scrypt cost C, default
1024), brings N UEs online in A and changes all their PLMNs at once.

Options
  --ues N             UEs of the migration benchmark (default 100)
  --scrypt-cost C     scrypt cost of the benchmark users' passwords (a power of 2, 1024 or more)
  --profile FILE      write a V8 CPU profile of the migration phase: FILE of the bench's process, and one per
                      process it forks (MC systems with --processes per-system, replicas, UE hosts) with
                      the process's name before the extension (m.cpuprofile -> m.ue-host-1.cpuprofile);
                      FILE ending in .heapprofile: a sampling allocation profile instead, collected objects
                      included (where the garbage comes from), opened by Chrome DevTools' Memory panel
  --processes P       single or per-system (each MC system in its own process; CPU time and peak RSS
                      are then summed over every process, per process in process_usage)
  --ue-hosts H        run the UEs in H UE host processes (child processes; UE i of N on host
                      floor(i*H/N)) instead of the UE host of the bench's process: online phase and
                      PLMN changes on every host at once, counts and p50/p99 merged over every UE,
                      CPU and peak RSS summed with every host's process; per host in ue_hosts
  --db URL            the servers' databases on this PostgreSQL server (postgres://user@host:port/)
                      instead of the file's setting, under a fresh prefix mcx_bench_<random> (the
                      composition creates them); every mcx_bench_<random>_* database is dropped at
                      the end, even after a failure
  --replicas R        2 to 8; two rounds in this one run, each on an ecosystem of its own on
                      PostgreSQL (--db, default postgres://postgres@127.0.0.1:5432/; needs haproxy
                      and kamailio): round A with one instance of each server, round B with R
                      instances of each system's CMS, GMS and MCS behind the HAProxy/Kamailio fronts
                      (as mcx up --replicas R), same users and UE hosts, measured the same way. The
                      report is round B's plus replicas, single_instance (round A's numbers) and
                      rate_ratio (B's rate / A's; cpu_ratio likewise for CPU per migration); CPU and
                      peak RSS include the replica processes and the fronts (process_usage). Exit 1
                      when a UE failed in either round
  --json              print the numbers as JSON

  mcx bench gms [--members N] [--transport udp|tcp] [--profile FILE]
                      one change to a group of N subscribed members (default 5000) over UDP (default)
                      or TCP: first and last NOTIFY answered after the change; --profile writes a CPU
                      profile of the GMS during the changes

  mcx bench soak [--ues N] [--minutes M] [--heap-snapshot DIR] [--json]
                      N UEs (default 50) migrate back and forth for M minutes (default 10); the
                      process's memory after a forced GC every 10 s: growth and slope after the
                      warm-up (the first 20%), and after the UEs are removed. Goal: < 50 MB growth
  --minutes M         duration of the soak (default 10)
  --heap-snapshot DIR write V8 heap snapshots of the soak at warm-up and end into DIR

Example
  mcx bench migration --ues 200 --json
  mcx bench migration --ues 3000 --ue-hosts 2 --processes per-system --json
  mcx bench migration --ues 3000 --ue-hosts 2 --replicas 2 --json
  nice mcx bench soak --ues 50 --minutes 10 --json
`,
};
