/**
 * The migration part of a REGISTER/PUBLISH for migration service authorization (TS 24.379 clause
 * 7A shape; TS 24.484 clause 4.2.2.1.2.1: the UE uses "the access token obtained during the MCS
 * user authentication to the selected partner MC system" and "the selected MCS user profile
 * configuration document which is one of the MCS user profile configuration document(s)
 * configured by the primary MC system").
 *
 * The clause 7A element names were not available, so the selected profile travels as OUR
 * extension element in `<mcptt-Params>` of mcptt-info (an `anyExt`-style unknown element that
 * TS 24.379 readers ignore):
 *
 * ```xml
 * <mcx:migration xmlns:mcx="urn:mcx-ecosystem:xml:ns:migration:1.0"
 *     home-system="mcx-a" user-profile-index="1"
 *     user-profile="org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml"/>
 * ```
 * `home-system` = the primary MC system, `user-profile-index` = index of the selected profile
 * (required), `user-profile` = its XCAP document selector in the primary CMS (informative).
 */
import type { McpttInfo } from '@mcx/documents';
import { parseXml } from '@mcx/xml';
import { Refusal } from '../refusal.ts';

export const MIGRATION_NS = 'urn:mcx-ecosystem:xml:ns:migration:1.0';
export const MIGRATION_ELEMENT = 'migration';

export interface MigrationRequest {
  homeSystem: string;
  userProfileIndex: number;
  userProfile: string | undefined;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The extension element for mcptt-info `params.other`. */
export function buildMigrationElement(r: MigrationRequest): string {
  return (
    `<mcx:${MIGRATION_ELEMENT} xmlns:mcx="${MIGRATION_NS}" home-system="${escape(r.homeSystem)}" user-profile-index="${r.userProfileIndex}"` +
    (r.userProfile ? ` user-profile="${escape(r.userProfile)}"` : '') +
    '/>'
  );
}

/** The migration request of an mcptt-info document, undefined when there is none. @throws Refusal */
export function readMigrationRequest(info: McpttInfo): MigrationRequest | undefined {
  for (const ext of [...(info.params.other ?? []), ...(info.other ?? [])]) {
    const el = parseXml(ext).documentElement;
    if (!el || el.namespaceURI !== MIGRATION_NS || el.localName !== MIGRATION_ELEMENT) continue;
    const homeSystem = el.getAttribute('home-system') ?? '';
    const index = el.getAttribute('user-profile-index') ?? '';
    if (!homeSystem) throw new Refusal('bad-migration-request', 'migration element without home-system');
    // TS 24.484 clause 8.3.2: user-profile-index is an unsignedByte.
    if (!/^\d{1,3}$/.test(index) || Number(index) > 255) throw new Refusal('bad-migration-request', `bad user-profile-index "${index}"`);
    return { homeSystem, userProfileIndex: Number(index), userProfile: el.getAttribute('user-profile') || undefined };
  }
  return undefined;
}
