/**
 * The partner MC systems to which the MCS UE can migrate (TS 24.484 clause 4.2.2.1.2.1): each
 * entry holds the identity of a partner MC system and a complete MCS UE initial configuration
 * document for it. Written as later releases do for MCVideo (names: ../migration-names.ts), one
 * global element per partner in the user profile's root `<anyExt>`:
 * `<MigratablePartnerMCPTTSystemInfo><PartnerMCPTTSystemId>mcx-b</PartnerMCPTTSystemId>
 * <mcptt-UE-initial-configuration xmlns="urn:3gpp:mcptt:mcpttUEinitConfig:1.0">...`.
 */
import type { z } from 'zod';
import { complex, ext3gpp, many, one, xsAnyUri } from '@mcx/xml';
import { UE_INIT_CONFIG_NS, UE_INIT_CONFIG_ROOT, ueInitConfigCodec } from '../ue-init-config/ue-init-config.ts';
import { MIGRATABLE_PARTNER_ELEMENT, PARTNER_SYSTEM_ID_ELEMENT } from '../migration-names.ts';

export const partnerMcSystemCodec = complex({
  /** `<PartnerMCPTTSystemId>` (xs:anyURI): identity of the partner MC system (e.g. "mcx-b"). */
  id: one(PARTNER_SYSTEM_ID_ELEMENT, xsAnyUri),
  /** The MCS UE initial configuration document for the partner MC system (complete, embedded). */
  ueInitConfig: one(UE_INIT_CONFIG_ROOT, ueInitConfigCodec, UE_INIT_CONFIG_NS),
  other: ext3gpp().other,
  otherAttrs: ext3gpp().otherAttrs,
});

export const partnerMcSystemSchema = partnerMcSystemCodec.schema;
export type PartnerMcSystem = z.infer<typeof partnerMcSystemSchema>;
export type PartnerMcSystems = PartnerMcSystem[];

/** The field to put into the user profile's root `anyExt` codec: every partner entry, in document order. */
export function partnerMcSystemsField() {
  return many(MIGRATABLE_PARTNER_ELEMENT, partnerMcSystemCodec);
}
