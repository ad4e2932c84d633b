/** The state of one run of the online configuration (TS 24.484 clause 4.2.2.1.1), shared by its steps. */
import type { UeHostSystem } from '../config/config.ts';
import type { ProcedureUe } from '../ue/procedure-ue.ts';
import type { SystemSession } from '../ue/session.ts';

export interface ConfigurationContext {
  readonly ue: ProcedureUe;
  /** The primary MC system as the host knows it (its CMS XCAP root serves the UE initial configuration). */
  readonly system: UeHostSystem;
  /** The return home: the UE is configured in a partner system (a failure is then a failed move). */
  readonly returning: boolean;
  /** The primary system's session being configured (set by the first step). */
  session?: SystemSession;
}
