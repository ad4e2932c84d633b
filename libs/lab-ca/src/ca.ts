/**
 * The lab certificate authority: every HTTP endpoint of an MC system is served over TLS (TS 24.484
 * 4.2.2.1.2: the UE contacts the IdMS at "the HTTPS URI stored in the MCS UE initial configuration
 * document"), so a lab needs a CA that every client of the ecosystem trusts and a server
 * certificate per host name the ecosystem uses.
 *
 * Our choices: ECDSA P-256 with SHA-256 (RFC 5480 / RFC 8446 mandatory-to-implement), the CA valid
 * 5 years and each server certificate 1 year (reissued when its CA changed or it ends within 7
 * days), the CA constrained to issue end-entity certificates only (pathLen 0). Kept in
 * `<dataDir>/tls/`: `ca.pem`, `ca-key.pem` (0600), `server-<host>.pem`, `server-<host>-key.pem` (0600).
 *
 * Steps of `labCaIn(dir)`: 1. loadCa (or createCa on first start); 2. per host, serverCredentials:
 * load, check (issued by this CA, names covered, not ending soon), else issue and store.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

x509.cryptoProvider.set(webcrypto as never);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const CA_DAYS = 5 * 365;
const SERVER_DAYS = 365;
const RENEW_BEFORE_DAYS = 7;
/** Names of the loopback interface: a certificate for one of them covers all (our choice). */
const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/** A private key and its certificate chain, PEM (what `https.createServer({ key, cert })` takes). */
export interface TlsCredentials {
  key: string;
  cert: string;
}

export interface LabCa {
  /** The directory holding the CA and the server certificates. */
  dir: string;
  /** Path of the CA certificate (PEM): `curl --cacert <caPath>`, `NODE_EXTRA_CA_CERTS=<caPath>`. */
  caPath: string;
  /** The CA certificate, PEM. */
  caPem: string;
  /** The key and certificate of a server listening on `host` (issued on first use, then kept). */
  serverCredentials(host: string): Promise<TlsCredentials>;
}

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
const derOf = (text: string) => {
  const b = Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};
/** RFC 5280 4.1.2.2: a positive serial number of at most 20 octets. */
const serial = () => {
  const b = randomBytes(16);
  b[0]! &= 0x7f;
  return b.toString('hex');
};
const writePrivate = (file: string, text: string) => {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
};

/** The names a server certificate for `host` carries in its subjectAltName (RFC 5280 4.2.1.6). */
export function namesFor(host: string): string[] {
  return LOOPBACK.includes(host) ? [...LOOPBACK] : [host];
}

async function createCa(dir: string): Promise<void> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=MCX lab CA ${new Date(now).toISOString().slice(0, 10)}, O=mcx-config-ecosystem lab`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + CA_DAYS * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writePrivate(join(dir, 'ca-key.pem'), pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)));
  writeFileSync(join(dir, 'ca.pem'), cert.toString('pem') + '\n');
}

async function issueServer(ca: { cert: x509.X509Certificate; key: webcrypto.CryptoKey }, host: string): Promise<TlsCredentials> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const names = namesFor(host);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${host}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(Math.min(now + SERVER_DAYS * DAY, ca.cert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), cert: cert.toString('pem') + '\n' };
}

/** A stored server certificate is reused only if this CA issued it, it names the host and does not end soon. */
async function stillGood(certPem: string, ca: x509.X509Certificate, host: string): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(certPem);
    if (cert.issuer !== ca.subject || !(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }))) return false;
    if (cert.notAfter.getTime() < Date.now() + RENEW_BEFORE_DAYS * DAY) return false;
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const have = new Set(san?.names.items.map((n) => n.value) ?? []);
    return namesFor(host).every((n) => have.has(n));
  } catch {
    return false;
  }
}

const fileSafe = (host: string) => host.replace(/[^A-Za-z0-9.-]/g, '_');

/** The lab CA kept in `dir` (created there on first use), e.g. `<dataDir>/tls`. */
export async function labCaIn(dir: string): Promise<LabCa> {
  mkdirSync(dir, { recursive: true });
  const caPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca-key.pem');
  // 1. loadCa, or createCa on first start
  if (!existsSync(caPath) || !existsSync(keyPath)) await createCa(dir);
  const caPem = readFileSync(caPath, 'utf8');
  const cert = new x509.X509Certificate(caPem);
  const key = await webcrypto.subtle.importKey('pkcs8', derOf(readFileSync(keyPath, 'utf8')), ALG, false, ['sign']);
  const issued = new Map<string, Promise<TlsCredentials>>();
  // 2. serverCredentials per host
  const serverCredentials = async (host: string): Promise<TlsCredentials> => {
    const certFile = join(dir, `server-${fileSafe(host)}.pem`);
    const keyFile = join(dir, `server-${fileSafe(host)}-key.pem`);
    if (existsSync(certFile) && existsSync(keyFile) && (await stillGood(readFileSync(certFile, 'utf8'), cert, host))) {
      return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    }
    const fresh = await issueServer({ cert, key }, host);
    writePrivate(keyFile, fresh.key);
    writeFileSync(certFile, fresh.cert);
    return fresh;
  };
  return {
    dir,
    caPath,
    caPem,
    serverCredentials(host) {
      let p = issued.get(host);
      if (!p) {
        p = serverCredentials(host);
        issued.set(host, p);
        p.catch(() => issued.delete(host));
      }
      return p;
    },
  };
}

let throwAway: Promise<LabCa> | undefined;

/**
 * A throw-away lab CA for this process (tests, benchmarks): created once in a temporary directory,
 * removed when the process exits, shared by every composition of the process so it costs little.
 */
export function throwAwayLabCa(): Promise<LabCa> {
  if (!throwAway) {
    const dir = mkdtempSync(join(tmpdir(), 'mcx-lab-ca-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    throwAway = labCaIn(dir);
  }
  return throwAway;
}
