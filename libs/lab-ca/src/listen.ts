/**
 * The HTTP(S) server of an MC system endpoint (IdMS, CMS, GMS): TLS when credentials are given,
 * plain HTTP when the ecosystem file says `tls: false` (our choice: for reading the wire without
 * keys). With `SSLKEYLOGFILE=<file>` in the environment, every TLS session's secrets are appended
 * there in the NSS key log format (the `keylog` event of Node's TLS server), so Wireshark can
 * decrypt a capture (Preferences > Protocols > TLS > (Pre)-Master-Secret log filename).
 */
import { appendFileSync } from 'node:fs';
import { createServer as createPlainServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TlsCredentials } from './ca.ts';

/** `https` with credentials, `http` without. */
export function schemeOf(tls: TlsCredentials | undefined): 'https' | 'http' {
  return tls ? 'https' : 'http';
}

/** Appends each TLS session's key log line to `$SSLKEYLOGFILE` (read at each session, so it can be set late). */
export function honourSslKeyLogFile(server: { on(event: 'keylog', listener: (line: Buffer) => void): unknown }): void {
  server.on('keylog', (line: Buffer) => {
    const file = process.env.SSLKEYLOGFILE;
    if (file) appendFileSync(file, line, { mode: 0o600 });
  });
}

/** An HTTP server for `handler`: over TLS with `tls` (and the key log), plain without. Not listening yet. */
export function createHttpServer(handler: RequestListener, tls?: TlsCredentials): Server {
  if (!tls) return createPlainServer(handler);
  const server = createTlsServer({ key: tls.key, cert: tls.cert }, handler);
  honourSslKeyLogFile(server);
  return server as unknown as Server;
}
