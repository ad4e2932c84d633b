#!/usr/bin/env node
// The container's HEALTHCHECK (deploy/Dockerfile): healthy (exit 0) when a running `mcx up` has written
// its endpoints (<dataDir>/run/endpoints.json) and the console and every MC system's IdMS, CMS and GMS
// answer GET /healthz with 200 (a server whose database is gone answers 503: README "PostgreSQL").
// https endpoints are checked with certificate verification against the lab CA (<dataDir>/tls/ca.pem).
// The MCS has no HTTP endpoint; the console reports it (SIP OPTIONS).
// Data directory: $MCX_DATA_DIR (the image sets /var/lib/mcx, deploy/ecosystem.yaml's dataDir).
// Node built-ins only, so that it runs with nothing but the node binary.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';

const dataDir = process.env.MCX_DATA_DIR ?? '/var/lib/mcx';
const TIMEOUT_MS = 5000;

function fail(message) {
  process.stderr.write(`unhealthy: ${message}\n`);
  process.exit(1);
}

let endpoints;
try {
  endpoints = JSON.parse(readFileSync(join(dataDir, 'run', 'endpoints.json'), 'utf8'));
} catch (err) {
  fail(`no endpoints file of a running mcx up in ${dataDir}/run (${err.code ?? err.message})`);
}
let ca;
try {
  ca = readFileSync(join(dataDir, 'tls', 'ca.pem'));
} catch {
  ca = undefined; // every system on plain HTTP (`tls: false`): no CA needed
}

/** GET <base>/healthz; resolves with a problem string or undefined when the answer is 200. */
function check(name, base) {
  const url = new URL('/healthz', base);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.get(url, { timeout: TIMEOUT_MS, ...(url.protocol === 'https:' ? { ca } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `${name} ${url.href}: HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (err) => resolve(`${name} ${url.href}: ${err.message}`));
  });
}

const targets = [];
if (endpoints.console) targets.push(['console', endpoints.console]);
for (const s of endpoints.systems ?? []) {
  targets.push([`${s.id} IdMS`, s.idms.issuer], [`${s.id} CMS`, s.cms.xcapRoot], [`${s.id} GMS`, s.gms.xcapRoot]);
}
if (targets.length === 0) fail('the endpoints file names no server');
const problems = (await Promise.all(targets.map(([name, base]) => check(name, base)))).filter(Boolean);
if (problems.length > 0) fail(problems.join('; '));
process.stdout.write(`healthy: ${targets.map(([name]) => name).join(', ')}\n`);
