/**
 * Benchmarks (printed as JSON):
 * 1. conditional GETs per second answered 304 through the express router on loopback
 *    (keep-alive node:http agents, bounded duration);
 * 2. xcap-diff generation time for a 50 KB document with a one-element change, and the size
 *    of the diff against the document.
 * Server and load generator share this process (and the machine's cores).
 */
import express from 'express';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ApplicationUsageRegistry, InMemoryDocumentStore, computeEtag, createXcapRouter, diffDocument, renderDocumentDiff } from '../src/index.ts';
import { largeResourceLists } from '../test/fixtures/large-document.ts';
import { resourceListsUsage } from '../test/fixtures/resource-lists-usage.ts';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

/** Plain JavaScript for the worker: keep-alive loops of GET with If-None-Match until the deadline. */
const LOAD_GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { port, path, etag, connections, durationMs } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const statuses = {};
const deadline = Date.now() + durationMs;
const once = () => new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port, path, agent, headers: { 'if-none-match': etag } }, (res) => {
    res.resume();
    res.on('end', () => { statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; resolve(); });
  });
  req.on('error', reject);
  req.end();
});
const started = Date.now();
Promise.all(Array.from({ length: connections }, async () => { while (Date.now() < deadline) await once(); }))
  .then(() => { agent.destroy(); parentPort.postMessage({ statuses, elapsed: (Date.now() - started) / 1000 }); });
`;

async function conditionalGets() {
  const store = new InMemoryDocumentStore();
  const app = express();
  app.use('/xcap-root', createXcapRouter({ registry: new ApplicationUsageRegistry([resourceListsUsage]), store }));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const path = '/xcap-root/resource-lists/users/sip:alice@example.com/index';
  const body = largeResourceLists();
  const stored = await store.put('resource-lists/users/sip:alice@example.com/index', body, { contentType: resourceListsUsage.mimeType });
  const etag = `"${stored.etag}"`;
  // The load generator runs in a worker thread so the server has the main thread to itself.
  const worker = new Worker(LOAD_GENERATOR, { eval: true, workerData: { port, path, etag, connections: CONNECTIONS, durationMs: DURATION_MS } });
  const { statuses, elapsed } = await new Promise<{ statuses: Record<number, number>; elapsed: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  const notModified = statuses[304] ?? 0;
  return {
    durationSeconds: Number(elapsed.toFixed(2)),
    connections: CONNECTIONS,
    documentBytes: Buffer.byteLength(body),
    responses: statuses,
    notModifiedPerSecond: Math.round(notModified / elapsed),
  };
}

function diffGeneration() {
  const oldBody = largeResourceLists();
  const newBody = oldBody.replace('<display-name>User 20.5</display-name>', '<display-name>Renamed user</display-name>');
  const change = { sel: 'resource-lists/users/sip:alice@example.com/index', previousEtag: computeEtag(oldBody), newEtag: computeEtag(newBody), previousBody: oldBody, newBody };
  for (let i = 0; i < 5; i++) diffDocument(change);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 30; i++) {
    const t = process.hrtime.bigint();
    const d = diffDocument(change);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    bytes = Buffer.byteLength(renderDocumentDiff(d));
  }
  times.sort((a, b) => a - b);
  return {
    documentBytes: Buffer.byteLength(newBody),
    diffBytes: bytes,
    ratio: Number((bytes / Buffer.byteLength(newBody)).toFixed(4)),
    medianMs: Number(times[Math.floor(times.length / 2)]!.toFixed(2)),
    p90Ms: Number(times[Math.floor(times.length * 0.9)]!.toFixed(2)),
  };
}

const result = { conditionalGet304: await conditionalGets(), diff50KB: diffGeneration() };
console.log(JSON.stringify(result, null, 2));
