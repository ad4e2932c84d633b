/**
 * Document selectors of the CMS (RFC 4825 clause 6.2; document names as MCOP's CMS client builds
 * them, our choice where TS 24.484 fixes none).
 * The XUI is the SIP URI itself (`users/sip:alice@mcx-a.example.net/...`), percent-encoded where
 * RFC 3986 requires it.
 */
import { createHash } from 'node:crypto';
import { AUID, SERVICE_CONFIG_DOCUMENT_NAME, userProfileDocumentName } from '@mcx/documents';
import { formatDocumentSelector } from '@mcx/xcap';

export const MIME = {
  ueInitConfig: 'application/vnd.3gpp.mcptt-ue-init-config+xml',
  ueConfig: 'application/vnd.3gpp.mcptt-ue-config+xml',
  userProfile: 'application/vnd.3gpp.mcptt-user-profile+xml',
  serviceConfig: 'application/vnd.3gpp.mcptt-service-config+xml',
} as const;

/** `org.3gpp.mcptt.user-profile/users/<MCPTT ID>/mcptt-user-profile-<index>.xml` (TS 24.484 clause 8.3.1A as cited). */
export function userProfileSelector(mcpttId: string, index: number): string {
  return formatDocumentSelector({ auid: AUID.userProfile, tree: 'users', xui: mcpttId, path: [userProfileDocumentName(index)] });
}

/** The users-tree prefix of one user's documents of an AUID (for listings). */
export function userPrefix(auid: string, mcpttId: string): string {
  return `${formatDocumentSelector({ auid, tree: 'users', xui: mcpttId, path: ['x'] }).slice(0, -1)}`;
}

/**
 * `org.3gpp.mcptt.ue-config/users/<MCPTT ID>/ue-config.xml`: one UE configuration per user.
 * TS 24.484 clause 8.2.1 keys it per UE instance; the simulator keeps one per user (documented).
 */
export function ueConfigSelector(mcpttId: string): string {
  return formatDocumentSelector({ auid: AUID.ueConfig, tree: 'users', xui: mcpttId, path: ['ue-config.xml'] });
}

/**
 * The UE instance id (`urn:uuid`: Instance-ID-URN and `<mcptt-UE-id>`) of the user's UE configuration at
 * `ueConfigSelector(mcpttId)`: with one UE configuration per user, one stable id per user, derived
 * from the MCPTT ID (our choice), so that the home CMS and a partner CMS receiving the user over
 * CSC-17 write the same id.
 */
export function ueIdOfUser(mcpttId: string): string {
  const h = createHash('sha256').update(mcpttId).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `org.3gpp.mcptt.service-config/global/service-config.xml` (MCOP; TS 24.484 clause 8.4.2.8 as cited). */
export const SERVICE_CONFIG_SELECTOR = formatDocumentSelector({ auid: AUID.serviceConfig, tree: 'global', path: [SERVICE_CONFIG_DOCUMENT_NAME] });

/**
 * In the primary CMS: the profile a user will use in partner system `partner` (TS 23.280 clause
 * 10.1.4.1 "MC service user profiles defined for use in migration cases"), shared over CSC-17:
 * `org.3gpp.mcptt.user-profile/users/<MCPTT ID>/migration/<partner>/mcptt-user-profile-<index>.xml`.
 */
export function migrationProfileSelector(mcpttId: string, partner: string, index: number): string {
  return formatDocumentSelector({ auid: AUID.userProfile, tree: 'users', xui: mcpttId, path: ['migration', partner, userProfileDocumentName(index)] });
}
