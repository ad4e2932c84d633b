/**
 * The primary-configured user profiles (TS 24.484 clause 4.2.2.1.2: the partner MC system entries
 * are in the user profiles the primary system configured), read from the UE's protected copies. A
 * copy that fails its integrity check is fetched again while the UE is at home; an unreadable
 * profile is no candidate.
 */
import { fetchDocument } from '../online-configuration/synchronize.ts';
import type { ProcedureUe } from '../ue/procedure-ue.ts';
import type { ProfileView } from './policies.ts';

export async function primaryProfiles(ue: ProcedureUe): Promise<ProfileView[]> {
  const home = ue.home!;
  const out: ProfileView[] = [];
  for (const meta of ue.copies.list(home.systemId).filter((d) => d.kind === 'user-profile')) {
    let r = await ue.copies.read(meta);
    if (!r.ok && r.reason === 'tampered') {
      ue.note(`local copy ${meta.sel} failed its integrity check: re-fetching`);
      if (ue.current === home) {
        await fetchDocument(ue.copies, home, 'cms', meta.sel, 'select-partner', { conditional: false });
        r = await ue.copies.read(ue.copies.get(home.systemId, 'cms', meta.sel)!);
      }
    }
    if (!r.ok) continue;
    const p = ue.copies.profileSummary(meta, r.copy); // parsed once per version (local-copies.ts)
    if (!p) continue; // unreadable profile: not a candidate
    out.push({ index: p.index, name: p.name, preSelected: p.preSelected, sel: meta.sel, partners: p.partners });
  }
  return out;
}
