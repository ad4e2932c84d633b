/**
 * Partner MC system selection (TS 24.484 clause 4.2.2.1.2.2) and user profile selection
 * (clause 4.2.2.1.2.3) as pluggable policies. The normative text of both clauses was not
 * available to us: the defaults are deterministic rules of our choice (docs/conventions.md),
 * and each decision carries a human-readable reason (logged, shown in the snapshot).
 */
import type { PartnerMcSystem } from '@mcx/documents';

export type Selection<T> = { choice: T; reason: string } | { none: true; reason: string };

/** A primary-configured user profile as the policies see it. */
export interface ProfileView {
  index: number;
  name: string | undefined;
  preSelected: boolean;
  /** Its document selector in the primary CMS. */
  sel: string;
  /** Its list of partner MC systems (TS 24.484 clause 4.2.2.1.2.1), in document order. */
  partners: PartnerMcSystem[];
}

export interface PartnerCandidate {
  /** Identity of the partner MC system (entry id). */
  systemId: string;
  /** The entry (with the embedded partner UE initial configuration). */
  entry: PartnerMcSystem;
  /** The profile whose list held the entry. */
  foundIn: ProfileView;
}

export interface PartnerSelectionPolicy {
  readonly name: string;
  /** Partner MC system selection (TS 24.484 clause 4.2.2.1.2.2). */
  select(input: { plmn: string; profiles: readonly ProfileView[]; homeSystem: string }): Selection<PartnerCandidate>;
}

export interface ProfileSelectionPolicy {
  readonly name: string;
  /** User profile selection for the selected partner (TS 24.484 clause 4.2.2.1.2.3). */
  select(input: { partner: PartnerCandidate; profiles: readonly ProfileView[] }): Selection<ProfileView>;
}

/** Pre-selected profile first, then ascending index (TS 24.484 clause 4.1.1 NOTE; MCOP habit). */
export function profileOrder(profiles: readonly ProfileView[]): ProfileView[] {
  return [...profiles].sort((a, b) => Number(b.preSelected) - Number(a.preSelected) || a.index - b.index);
}

const describe = (p: ProfileView) => `profile ${p.index}${p.name ? ` "${p.name}"` : ''}`;

export { describe as describeProfile };
