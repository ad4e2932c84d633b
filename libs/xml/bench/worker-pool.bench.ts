/**
 * Is a worker thread worth its round trip? For documents of growing size, the time to parse and
 * serialize one on the calling thread (the `parseChecked` task run inline) against the time the
 * same task takes through an XmlWorkerPool (post, run in a thread, reply). Prints JSON: per size,
 * the body bytes, the elements, and the median and p90 of each, in milliseconds.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_XML_LIMITS, XmlWorkerPool } from '../src/index.ts';
import { parseChecked } from '../src/xml-tasks.ts';

const ELEMENTS = [10, 100, 1_000, 5_000, 19_000];
const ROUNDS = Number(process.env['ROUNDS'] ?? 30);

/** A document of `n` small elements in two levels, with an attribute each, as profiles have. */
function documentOf(n: number): string {
  const items = Array.from({ length: n - 1 }, (_, i) => `<entry uri="sip:u${i}@example.net"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><list xmlns="urn:example:bench">${items}</list>`;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(3));
}

const pool = new XmlWorkerPool({ module: new URL('../src/xml-tasks.ts', import.meta.url), threads: 1 });
await pool.run('parseChecked', { xml: documentOf(10), limits: DEFAULT_XML_LIMITS }); // the thread starts and loads its module
const results = [];
for (const n of ELEMENTS) {
  const xml = documentOf(n);
  const input = { xml, limits: DEFAULT_XML_LIMITS };
  const inline: number[] = [];
  const pooled: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    parseChecked(input);
    inline.push(performance.now() - t);
    t = performance.now();
    await pool.run('parseChecked', input);
    pooled.push(performance.now() - t);
  }
  results.push({
    elements: n,
    bytes: Buffer.byteLength(xml),
    inline_p50_ms: quantile(inline, 0.5),
    inline_p90_ms: quantile(inline, 0.9),
    worker_p50_ms: quantile(pooled, 0.5),
    worker_p90_ms: quantile(pooled, 0.9),
  });
}
await pool.close();
process.stdout.write(`${JSON.stringify({ bench: 'xml-worker-pool', rounds: ROUNDS, results }, null, 2)}\n`);
