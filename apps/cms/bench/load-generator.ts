/**
 * The load generator of `mcx bench xcap`: `connections` keep-alive connections of one undici Pool,
 * each sending the same request again as soon as the previous answer is read, for a fixed
 * duration. Run as a child process (`runLoadInChild`) so that its CPU is not counted as the
 * server's and it does not share the server's event loop.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

export interface LoadOptions {
  /** `http://host:port` or `https://host:port` */
  origin: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  durationMs: number;
  /** PEM of a CA to trust (HTTPS). */
  ca?: string;
}

export interface LoadResult {
  requests: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  requestsPerSecond: number;
  errors: number;
  firstError?: string;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(o.origin, {
    connections: o.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    ...(o.ca ? { connect: { ca: o.ca } } : {}),
  });
  const statuses: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + o.durationMs;
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (performance.now() < deadline) {
        try {
          const r = await pool.request({ path: o.path, method: 'GET', headers: o.headers });
          await r.body.dump();
          statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1;
          requests++;
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
          if (errors > 1000) return;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  await pool.close();
  return { requests, statuses, elapsedMs: Math.round(elapsedMs), requestsPerSecond: Math.round((requests / elapsedMs) * 1000), errors, ...(firstError ? { firstError } : {}) };
}

/** Runs `runLoad` in a child Node process (this file, through tsx) and returns its result. */
export function runLoadInChild(o: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch (err) {
        reject(new Error(`load generator printed no result: ${(err as Error).message}: ${out.slice(0, 200)}`));
      }
    });
    child.stdin.end(JSON.stringify(o));
  });
}

// As a child process: options as JSON on stdin, the result as JSON on stdout.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let input = '';
  process.stdin.on('data', (c: Buffer) => (input += c.toString('utf8')));
  process.stdin.on('end', () => {
    void runLoad(JSON.parse(input) as LoadOptions).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
  });
}
