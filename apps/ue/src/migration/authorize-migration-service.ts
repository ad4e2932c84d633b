/**
 * Migration service authorization (TS 24.484 clause 4.2.2.1.2.1; TS 23.280 clause 10.6.3; TS
 * 24.379 clause 7A shape) at the partner MCS: REGISTER with the partner access token and the
 * selected user profile (one of those the primary system configured), see
 * online-configuration/authorize-service.ts. The partner MCS asks the primary MCS, which decides;
 * a refusal carries the primary's cause (Warning agent = the primary MCS).
 */
import { register } from '../online-configuration/authorize-service.ts';
import type { HostServices } from '../ue/host-services.ts';
import type { SystemSession } from '../ue/session.ts';
import type { Step } from '../ue/step-runner.ts';
import type { MigrationContext } from './context.ts';
import type { ProfileView } from './policies.ts';

export function authorizeMigrationService(host: HostServices, ueId: string, home: SystemSession, partner: SystemSession, profile: ProfileView): Promise<void> {
  partner.accessProfile = { index: profile.index, sel: profile.sel };
  return register(host, ueId, partner, 'migration-service-authorization', {
    migration: { userProfileIndex: profile.index },
  });
}

export const authorizeMigrationServiceStep: Step<MigrationContext> = {
  name: 'migration-service-authorization',
  clause: 'TS 24.484 4.2.2.1.2.1',
  async run({ ue, session, profile }) {
    await authorizeMigrationService(ue.host, ue.id, ue.home!, session!, profile!);
    return { event: 'MIGRATION_SERVICE_AUTHORIZED', text: `migration service authorization at ${session!.mcsPsi} with user profile ${profile!.index}` };
  },
};
