/**
 * Where a REGISTER (or a PUBLISH of poc-settings) arrives: service authorization (TS 24.379
 * clause 7.2/7.3 shape) or, when the mcptt-info carries a migration request, migration service
 * authorization (clause 7A shape). One pipeline of named steps:
 * readBinding → readMcpttInfo → verifyAccessToken → (readMigrationRequest → authorizeMigration (with the primary MCS) |
 * authorizeService) → record in the registration table → 200 with Expires; every refusal is a
 * typed {@link Refusal} rendered as @mcx/sip's SipRefusal: 403 (or 503 + Retry-After) with a reason.
 */
import type { TokenVerifier } from '@mcx/auth';
import { parseExpires, parseNameAddr, SipRefusal, type IncomingRequest, type Logger } from '@mcx/sip';
import type { McsConfig } from '../config/config.ts';
import type { Csc5Client } from '../csc5/migration-authorizations.ts';
import type { PrimaryLeg } from '../primary-leg/ask-primary.ts';
import { authorizeMigration } from '../migration-service-authorization/authorize-migration.ts';
import { readMigrationRequest } from '../migration-service-authorization/migration-request.ts';
import { Refusal } from '../refusal.ts';
import type { Registration, RegistrationTable } from '../registrations/registration-table.ts';
import { authorizeService } from './authorize-service.ts';
import { readMcpttInfo } from './read-mcptt-info.ts';
import { verifyAccessToken } from './verify-access-token.ts';

export interface AuthorizationContext {
  config: McsConfig;
  verifier: TokenVerifier;
  csc5: Csc5Client | undefined;
  /** The MCS-to-MCS leg to the primary MC service server (TS 23.280 clause 10.6.3). */
  primaryLeg: PrimaryLeg;
  table: RegistrationTable;
  logger: Logger;
  /** Host named in Warning headers. */
  warnAgent: string;
  /** Called after each decision (tests, logs). */
  onDecision?: (d: Decision) => void;
}

export type Decision =
  | { outcome: 'authorized'; method: string; registration: Registration }
  | { outcome: 'deregistered'; method: string; contact: string }
  | { outcome: 'refused'; method: string; code: string; detail: string };

interface Binding {
  contact: string;
  /** `Contact: *` (RFC 3261 clause 10.2.2: with Expires 0, all bindings of the user). */
  wildcard: boolean;
  expires: number;
}

/** Contact and expiry of the request (RFC 3261 clause 10.2.1: Contact `expires` param, else Expires). */
function readBinding(req: IncomingRequest, defaultExpires: number): Binding {
  const m = req.message;
  const contactValue = m.headers.get('contact');
  let contact = '';
  let contactExpires: string | undefined;
  if (contactValue && contactValue.trim() !== '*') {
    try {
      const c = parseNameAddr(contactValue);
      contact = c.uri;
      contactExpires = c.params.get('expires') ?? undefined;
    } catch {
      throw new Refusal('bad-migration-request', 'malformed Contact header');
    }
  }
  let expires: number | undefined;
  try {
    expires = parseExpires(contactExpires ?? m.headers.get('expires'));
  } catch (err) {
    // RFC 3261 clause 20.19 / 21.4.1: an Expires that is no delta-seconds is malformed syntax => 400.
    throw new SipRefusal(400, (err as Error).message);
  }
  const wildcard = contactValue?.trim() === '*';
  return { wildcard, contact: contact || parseNameAddr(m.headers.get('from') ?? '<sip:anonymous@invalid>').uri, expires: expires ?? defaultExpires };
}

export async function handleAuthorizationRequest(ctx: AuthorizationContext, req: IncomingRequest): Promise<void> {
  const method = req.message.method;
  const { config } = ctx;
  try {
    const binding = readBinding(req, config.maxExpires);
    if (binding.expires === 0) {
      // De-registration (RFC 3261 clause 10.2.2) is authorized like any REGISTER (TS 24.379 clause
      // 7.3, TS 24.484): it drops only bindings of the MC user its access token names.
      const { accessToken } = readMcpttInfo(req.message);
      const token = await verifyAccessToken(ctx.verifier, accessToken);
      for (const r of ctx.table.find(token.mcpttId!)) {
        if (binding.wildcard || r.contact === binding.contact) ctx.table.remove(r.mcpttId, r.contact);
      }
      ctx.onDecision?.({ outcome: 'deregistered', method, contact: binding.contact });
      req.respond(200, 'OK', { headers: { Expires: '0' } });
      return;
    }
    if (binding.expires < config.minExpires) {
      // RFC 3261 clause 10.3 step 7: too brief => 423 with Min-Expires.
      new SipRefusal(423, 'Interval Too Brief', { headers: { 'Min-Expires': String(config.minExpires) } }).respond(req);
      return;
    }
    const expires = Math.min(binding.expires, config.maxExpires);
    const { info, accessToken } = readMcpttInfo(req.message);
    const token = await verifyAccessToken(ctx.verifier, accessToken);
    const migration = readMigrationRequest(info);
    const now = new Date();
    let registration: Registration;
    if (migration) {
      const id = await authorizeMigration(token, migration, config.systemId, ctx.csc5, ctx.primaryLeg);
      registration = {
        mcpttId: token.mcpttId!,
        contact: binding.contact,
        kind: 'migration',
        homeSystem: id.homeSystem,
        primaryMcpttId: id.primaryMcpttId,
        userProfileIndex: migration.userProfileIndex,
        expiresAt: new Date(now.getTime() + expires * 1000),
        registeredAt: now,
      };
    } else {
      const { homeSystem } = authorizeService(token, config.systemId);
      registration = { mcpttId: token.mcpttId!, contact: binding.contact, kind: 'service', homeSystem, expiresAt: new Date(now.getTime() + expires * 1000), registeredAt: now };
    }
    ctx.table.upsert(registration);
    ctx.logger.info({ mcpttId: registration.mcpttId, kind: registration.kind, method }, 'mcs: authorized');
    ctx.onDecision?.({ outcome: 'authorized', method, registration });
    const headers: Record<string, string> = { Expires: String(expires), Contact: `<${binding.contact}>;expires=${expires}` };
    if (method === 'PUBLISH') headers['SIP-ETag'] = `${registration.kind}-${now.getTime().toString(36)}`;
    req.respond(200, 'OK', { headers });
  } catch (err) {
    if (err instanceof SipRefusal) return err.respond(req);
    if (!(err instanceof Refusal)) throw err;
    ctx.logger.info({ method, code: err.code, detail: err.detail }, 'mcs: refused');
    ctx.onDecision?.({ outcome: 'refused', method, code: err.code, detail: err.detail });
    err.toSipRefusal(ctx.warnAgent, config.retryAfter).respond(req);
  }
}
