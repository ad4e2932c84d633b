/**
 * startMcs: the minimal MC service server of one MC system (docs/server-contracts.md). SIP only
 * (UDP + TCP on one port): REGISTER and PUBLISH for (migration) service authorization, MESSAGE
 * for the MCS-to-MCS leg of migration service authorization (primary-leg/), OPTIONS answered 200 (health). Everything else gets the SIP endpoint's 405.
 */
import pino from 'pino';
import { createTokenVerifier, MC_SCOPES } from '@mcx/auth';
import { SipRefusal, type SipEndpoint } from '@mcx/sip';
import { mcsConfigSchema, mcsPsi, type McsConfig, type McsConfigInput } from './config/config.ts';
import { createCsc5Client } from './csc5/migration-authorizations.ts';
import { fromPsi, PrimaryLeg } from './primary-leg/ask-primary.ts';
import { decideForPartner } from './primary-leg/decide-for-partner.ts';
import { createHomeShares } from './primary-leg/home-shares.ts';
import type { LegEvent } from './primary-leg/leg-events.ts';
import { readOrError } from './primary-leg/leg-message.ts';
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
  /** Subscribe to the MCS-to-MCS leg messages this MCS sent and received (console); returns an unsubscribe function. */
  onLegMessage(listener: (e: LegEvent) => void): () => void;
  close(): Promise<void>;
}

export async function startMcs(input: McsConfigInput): Promise<McsHandle> {
  const config = mcsConfigSchema.parse(input);
  const level = config.logger.level ?? (process.env['MCX_LOG'] ? (process.env['MCX_LOG'] as pino.Level) : 'silent');
  const logger = pino({ level }).child({ system: config.systemId, app: 'mcs' });
  const endpoint = await createMcsEndpoint({ host: config.host, port: config.sipPort, timers: config.sipTimers, logger, ...(config.sipContact ? { contactAddress: config.sipContact } : {}) });
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
  const psi = mcsPsi(config.domain);
  const legListeners = new Set<(e: LegEvent) => void>();
  const emit = (e: LegEvent) => {
    for (const l of legListeners) l(e);
  };
  const primaryLeg = new PrimaryLeg({ config, psi, endpoint, logger, emit });
  const homeShares = config.cms ? createHomeShares(config.cms) : undefined;
  const ctx = {
    primaryLeg,
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
  // The MCS-to-MCS leg (primary-leg/leg-message.ts): a request from a partner MCS, or the decision of a primary MCS.
  endpoint.onRequest('MESSAGE', async (req) => {
    const peer = config.peers.find((p) => p.psi === fromPsi(req));
    // The body is parsed once here, and the handler gets what it held (issue #14: it was parsed again there).
    const leg = readOrError(req);
    if (peer && !(leg instanceof Error) && leg?.result !== undefined) return primaryLeg.receiveResult(req, peer, leg);
    await decideForPartner({ config, psi, endpoint, shares: homeShares, logger, emit }, req, leg);
  });
  let closed: Promise<void> | undefined;
  logger.info({ port: address.port, audience }, 'mcs: listening');
  return {
    config,
    psi,
    sipUri: `sip:mcptt@${(config.sipContact ?? address).host}:${(config.sipContact ?? address).port};transport=udp`,
    sipTcpUri: `sip:mcptt@${(config.sipContact ?? address).host}:${(config.sipContact ?? address).port};transport=tcp`,
    port: address.port,
    endpoint,
    registrations: () => table.list(),
    onDecision(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onLegMessage(listener) {
      legListeners.add(listener);
      return () => legListeners.delete(listener);
    },
    close() {
      closed ??= endpoint.close();
      return closed;
    },
  };
}
