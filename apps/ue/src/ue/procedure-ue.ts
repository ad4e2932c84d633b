/** What the steps of a procedure (online-configuration/, migration/) may use and change of their UE. */
import type { SyncUe } from './document-sync.ts';
import type { SystemSession } from './session.ts';

export interface ProcedureUe extends SyncUe {
  readonly user: { username: string; password: string; home: string };
  /** The UE's own HTTP client (tap/http-tap.ts). */
  readonly http: typeof fetch;
  /** The primary system's session, kept across procedures: its refresh token serves the return home and every migration. */
  home: SystemSession | undefined;
  /** Registered PLMN; the online configuration sets the HPLMN when none was given. */
  plmn: string;
}
