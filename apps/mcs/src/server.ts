/**
 * startMcs: the minimal MC service server of one MC system (docs/server-contracts.md). SIP only
 * (UDP + TCP on one port): REGISTER and PUBLISH for (migration) service authorization, OPTIONS
 * answered 200 (health). Everything else gets the SIP endpoint's 405.
 */
import pino from 'pino';
import { createTokenVerifier, MC_SCOPES } from '@mcx/auth';
import { SipRefusal, type SipEndpoint } from '@mcx/sip';
import { mcsConfigSchema, mcsPsi, type McsConfig, type McsConfigInput } from './config/config.ts';
import { createCsc5Client } from './csc5/migration-authorizations.ts';
import { RegistrationTable, type Registration } from './registrations/registration-table.ts';
import { handleAuthorizationRequest, type Decision } from './service-authorization/register.ts';
import { createMcsEndpoint } from './sip-endpoint.ts';

export interface McsHandle {
  config: McsConfig;
  /** PSI of this MCS, `sip:mcptt-server@<domain>` (the Request-URI UEs use). */
  psi: string;
  /** `sip:mcptt@<host>:<port>;transport=udp` (the transport address; same shape as @mcx/ecosystem endpoints). */
  sipUri: string;
  sipTcpUri: string;
  port: number;
  endpoint: SipEndpoint;
  /** Current registrations (soft state). */
  registrations(): Registration[];
  /** Subscribe to authorization decisions (tests, console); returns an unsubscribe function. */
  onDecision(listener: (d: Decision) => void): () => void;
  close(): Promise<void>;
}

export async function startMcs(input: McsConfigInput): Promise<McsHandle> {
  const config = mcsConfigSchema.parse(input);
  const level = config.logger.level ?? (process.env['MCX_LOG'] ? (process.env['MCX_LOG'] as pino.Level) : 'silent');
  const logger = pino({ level }).child({ system: config.systemId, app: 'mcs' });
  const endpoint = await createMcsEndpoint({ host: config.host, port: config.sipPort, timers: config.sipTimers, logger });
  const audience = config.audience ?? mcsPsi(config.domain);
  const verifier = createTokenVerifier({
    issuer: config.idmsIssuer,
    audience,
    ...(config.idmsJwksUri ? { jwksUri: config.idmsJwksUri } : {}),
    // TS 33.180 annex B: the MC service server checks the MC service scope.
    requiredScopes: [MC_SCOPES.pttService],
  });
  const table = new RegistrationTable(endpoint.scheduler);
  const listeners = new Set<(d: Decision) => void>();
  const address = endpoint.address('udp');
  const ctx = {
    config,
    verifier,
    csc5: config.cms ? createCsc5Client(config.cms) : undefined,
    table,
    logger,
    warnAgent: `mcptt-server.${config.domain}`,
    onDecision: (d: Decision) => {
      for (const l of listeners) l(d);
    },
  };
  endpoint.onRequest('REGISTER', (req) => handleAuthorizationRequest(ctx, req));
  endpoint.onRequest('PUBLISH', (req) => {
    // TS 24.379 clause 7.2.1: PUBLISH with Event: poc.settings also carries mcptt-info.
    const event = (req.message.headers.get('event') ?? '').split(';')[0]!.trim().toLowerCase();
    if (event !== 'poc.settings') return new SipRefusal(489, 'Bad Event', { headers: { 'Allow-Events': 'poc.settings' } }).respond(req);
    return handleAuthorizationRequest(ctx, req);
  });
  let closed: Promise<void> | undefined;
  logger.info({ port: address.port, audience }, 'mcs: listening');
  return {
    config,
    psi: mcsPsi(config.domain),
    sipUri: `sip:mcptt@${address.host}:${address.port};transport=udp`,
    sipTcpUri: `sip:mcptt@${address.host}:${address.port};transport=tcp`,
    port: address.port,
    endpoint,
    registrations: () => table.list(),
    onDecision(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed ??= endpoint.close();
      return closed;
    },
  };
}
