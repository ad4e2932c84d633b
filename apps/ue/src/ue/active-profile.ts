/**
 * Which copies a UE shows and uses: the active user profile of the current system (one per
 * device, TS 23.280 10.1.4.1: the pre-selected one, then the UE initial configuration's
 * Default-user-profile, then the lowest index — our choice of order) and the order of the
 * snapshot's document list (current system first), which `GET /api/ues/:id/documents/:n` indexes.
 */
import type { LocalCopies } from '../online-configuration/local-copies.ts';
import type { DocumentMeta, SystemSession } from './session.ts';

export function activeProfileOf(copies: LocalCopies, current: SystemSession | undefined): DocumentMeta | undefined {
  if (!current) return undefined;
  const profiles = copies.list(current.systemId).filter((d) => d.kind === 'user-profile' && d.profile);
  const dflt = current.initConfig.defaultUserProfile?.userProfileIndex;
  return profiles.sort(
    (a, b) =>
      Number(b.profile!.preSelected) - Number(a.profile!.preSelected) ||
      Number(b.profile!.index === dflt) - Number(a.profile!.index === dflt) ||
      a.profile!.index - b.profile!.index,
  )[0];
}

/** Every copy, those of the current system first, then by system and selector. */
export function documentList(copies: LocalCopies, currentSystem: string | undefined): DocumentMeta[] {
  return copies
    .list()
    .sort((a, b) => Number(b.system === currentSystem) - Number(a.system === currentSystem) || a.system.localeCompare(b.system) || a.sel.localeCompare(b.sel));
}
