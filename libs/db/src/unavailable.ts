/**
 * "The database is away": the one classifier every server uses to answer 503 + Retry-After
 * (RFC 9110 clauses 15.6.4 and 10.2.3) instead of 500 while its database cannot be reached, and a
 * cheap health probe for `/healthz`. What counts as "away" is a connection failure, not a refused
 * statement: a constraint violation or a bad query stays a 4xx/500.
 */

/** Prisma error codes of a connection failure: can't reach (P1001), timed out reaching (P1002), operations timed out (P1008), connection closed (P1017), pool timeout (P2024). */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Driver adapter error kinds (@prisma/driver-adapter-utils) of a connection failure. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'DatabaseAccessDenied', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Node socket errors. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/**
 * PostgreSQL SQLSTATEs (PostgreSQL documentation, appendix A): class 08 connection exception,
 * 53300 too_many_connections, 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
 * SQLite (better-sqlite3 `code`): the file is locked by another writer beyond the busy timeout,
 * or cannot be opened.
 */
const SQL_CODES = new Set(['53300', '57P01', '57P02', '57P03', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN']);
const MESSAGES =
  /Can't reach database server|Connection terminated|connection is closed|Client has encountered a connection error|terminating connection due to administrator command|the database system is (?:starting up|shutting down|in recovery mode)|Timed out fetching a new connection|database is locked|The database connection is not open|Connection refused/i;

/** Whether `err` (or an error in its `cause` chain) means the database cannot be reached now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; typeof e === 'object' && e !== null && !seen.has(e); ) {
    seen.add(e);
    const { code, kind, message, meta, cause, errors } = e as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQL_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
    const adapter = meta?.driverAdapterError?.cause;
    if (adapter && typeof adapter.kind === 'string' && ADAPTER_KINDS.has(adapter.kind)) return true;
    if (adapter && typeof adapter.originalCode === 'string' && SQL_CODES.has(adapter.originalCode)) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    if (Array.isArray(errors) && errors.some((x) => isDatabaseUnavailable(x))) return true;
    e = cause;
  }
  return false;
}

/** Retry-After (seconds) of a 503 while the database is away: our choice, about the time PostgreSQL takes to restart. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** The short reason a 503 gives (error_description, SIP Warning text). */
export const DATABASE_UNAVAILABLE_DESCRIPTION = 'the database is unavailable; retry later';

export interface DatabaseHealth {
  /** 'available' or 'unavailable', from a probe at most `maxAgeMs` old (one probe in flight at a time). */
  check(): Promise<'available' | 'unavailable'>;
  /** Tells the probe a request just failed with a database error: a cached "available" is dropped, so the next check probes again. */
  noteUnavailable(): void;
}

/**
 * A cached database health probe for `/healthz` (our choice: one `SELECT 1` per `maxAgeMs`, default
 * 1 s, so a health poller never costs a round trip per request; a probe that takes longer than
 * `timeoutMs`, default 2 s, counts as unavailable).
 */
export function databaseHealth(prisma: { $queryRawUnsafe(query: string): Promise<unknown> }, options: { maxAgeMs?: number; timeoutMs?: number } = {}): DatabaseHealth {
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 2000;
  let last: { at: number; state: 'available' | 'unavailable' } | undefined;
  let inFlight: Promise<'available' | 'unavailable'> | undefined;
  const probe = async (): Promise<'available' | 'unavailable'> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'unavailable'>((resolve) => {
      timer = setTimeout(() => resolve('unavailable'), timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([prisma.$queryRawUnsafe('SELECT 1').then(() => 'available' as const, () => 'unavailable' as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async check() {
      if (last && Date.now() - last.at < maxAgeMs) return last.state;
      inFlight ??= probe().then((state) => {
        last = { at: Date.now(), state };
        inFlight = undefined;
        return state;
      });
      return inFlight;
    },
    noteUnavailable() {
      if (last?.state === 'available') last = undefined;
    },
  };
}

let answered = 0;

/** Counts one 503 answered because the database was away (the handlers below and the IdMS's OpenID provider call it). */
export function countDatabaseUnavailableAnswer(): void {
  answered += 1;
}

/** 503s answered by this process because a database was away, since it started (`mcx bench faults` reads it). */
export function databaseUnavailableAnswers(): number {
  return answered;
}

/** The parts of an express response the error handler uses (no express dependency here). */
interface HttpResponse {
  headersSent: boolean;
  status(code: number): HttpResponse;
  set(field: string, value: string): HttpResponse;
  json(body: unknown): unknown;
}

/**
 * The express error handler every server installs before its own: a database connection failure
 * becomes 503 + Retry-After with `{ "error": "temporarily_unavailable", "error_description" }`
 * (the OAuth error code of RFC 6749 clauses 4.1.2.1 and 5.2 for "the server is temporarily
 * unable to handle the request"; the same JSON shape as the servers' own APIs; RFC 4825 defines
 * no error document for a 503, so XCAP gets it too). Anything else goes on to the next handler.
 */
export function databaseUnavailableHandler(health?: DatabaseHealth) {
  return (err: unknown, _req: unknown, res: HttpResponse, next: (err?: unknown) => void): void => {
    if (!isDatabaseUnavailable(err)) return next(err);
    health?.noteUnavailable();
    if (res.headersSent) return next(err);
    countDatabaseUnavailableAnswer();
    res
      .status(503)
      .set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS))
      .set('Cache-Control', 'no-store')
      .json({ error: 'temporarily_unavailable', error_description: DATABASE_UNAVAILABLE_DESCRIPTION });
  };
}

/**
 * `GET /healthz` of a server with a database (docs/server-contracts.md): 200
 * `{ ok: true, ...identity, database: "available" }`, or 503 + Retry-After
 * `{ ok: false, ...identity, database: "unavailable" }` while the cached probe says it is away.
 */
export async function sendHealth(res: HttpResponse, health: DatabaseHealth, identity: Record<string, string>): Promise<void> {
  const database = await health.check();
  if (database === 'available') return void res.status(200).json({ ok: true, ...identity, database });
  res.status(503).set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS)).set('Cache-Control', 'no-store').json({ ok: false, ...identity, database });
}
