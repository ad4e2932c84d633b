/** The state of one run of the migration to a partner MC system (TS 24.484 clause 4.2.2.1.2), shared by its steps. */
import type { ProcedureUe } from '../ue/procedure-ue.ts';
import type { SystemSession } from '../ue/session.ts';
import type { PartnerCandidate, ProfileView } from './policies.ts';

export interface MigrationContext {
  readonly ue: ProcedureUe;
  /** The primary-configured user profiles, read by select-partner. */
  profiles: ProfileView[];
  /** Set by select-partner (4.2.2.1.2.2). */
  partner?: PartnerCandidate;
  /** Set by select-profile (4.2.2.1.2.3): the primary-configured profile used for access. */
  profile?: ProfileView;
  /** The partner system's session, new for every attempt. */
  session?: SystemSession;
  /** The primary IdMS's token for the partner IdMS (migration-token), presented in the token exchange. */
  migrationToken?: string;
}
