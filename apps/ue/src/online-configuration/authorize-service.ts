/**
 * Service authorization at the MC service server (TS 24.379 clause 7.2.1 shape): SIP REGISTER
 * to the MCS PSI with an mcptt-info body carrying the access token in `<mcptt-access-token>`.
 * With `migration` it is migration service authorization (TS 23.280 clause 10.6.3; clause 7A
 * shape): the same REGISTER, the partner token, and the selected user profile as
 * `<selected-user-profile-index><user-profile-index>` in `<anyExt>` of `<mcptt-Params>` (names
 * inferred from TS 24.281, libs/documents migration-names.ts; apps/mcs README). Expires 0 de-registers.
 */
import { mcpttInfoWithAccessToken, migrationAnyExt, serializeMcpttInfo } from '@mcx/documents';
import { MCPTT_INFO_CONTENT_TYPE } from '@mcx/sip';
import { sipFailure } from '../ue/classify.ts';
import type { HostServices } from '../ue/host-services.ts';
import type { SystemSession } from '../ue/session.ts';
import { StepError, type StepName } from '../ue/states.ts';
import type { Step } from '../ue/step-runner.ts';
import type { ConfigurationContext } from './context.ts';

export interface MigrationIndication {
  /** The primary-configured user profile selected for access (TS 24.484 clause 4.2.2.1.2.3). */
  userProfileIndex: number;
}

export async function register(
  host: HostServices,
  ueId: string,
  session: SystemSession,
  step: StepName,
  options: { expires?: number; migration?: MigrationIndication } = {},
): Promise<void> {
  if (!session.mcsPsi) throw new StepError(step, `the UE initial configuration of ${session.systemId} names no MC service server`, false);
  if (!session.mcpttId) throw new StepError(step, 'no MCPTT ID (not authenticated)', false);
  const expires = options.expires ?? host.config.subscriptionExpires;
  const headers: Record<string, string> = {
    Contact: host.endpoint.contact('udp', ueId),
    Expires: String(expires),
    'P-Preferred-Service': 'urn:urn-7:3gpp-service.ims.icsi.mcptt',
  };
  // The MCS authorizes a de-registration (Expires 0) like any REGISTER (TS 24.379 clause 7.3): it carries the token too.
  if (!session.tokens) throw new StepError(step, 'no access token', false);
  const info = mcpttInfoWithAccessToken(session.tokens.accessToken);
  if (options.migration) info.params.anyExt = migrationAnyExt({ selectedUserProfileIndex: options.migration.userProfileIndex });
  const body = serializeMcpttInfo(info);
  let target;
  try {
    target = host.route(session.mcsPsi);
  } catch (err) {
    throw new StepError(step, (err as Error).message, false);
  }
  const res = await host.endpoint.request({
    method: 'REGISTER',
    uri: session.mcsPsi,
    from: `<${session.mcpttId}>`,
    to: `<${session.mcpttId}>`,
    target,
    headers,
    ...(body ? { body, contentType: MCPTT_INFO_CONTENT_TYPE } : {}),
  });
  if (res.status < 200 || res.status >= 300) throw sipFailure(step, res);
  session.registered = expires > 0;
}

/** TS 24.484 4.2.2.1.1 step 3: service authorization at the primary MC service server. */
export const authorizeServiceStep: Step<ConfigurationContext> = {
  name: 'service-authorization',
  clause: 'TS 24.484 4.2.2.1.1',
  async run({ ue, session }) {
    await register(ue.host, ue.id, session!, 'service-authorization');
    return { event: 'SERVICE_AUTHORIZED', text: `service authorization at ${session!.mcsPsi}` };
  },
};
