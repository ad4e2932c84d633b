/**
 * The list of partner MC systems to which the MCS UE can migrate (TS 24.484 clause 4.2.2.1.2.1):
 * each entry holds the identity of a partner MC system and a complete MCS UE initial
 * configuration document for it. Written as
 * `<partner-mc-systems xmlns="urn:mcx-ecosystem:..."><partner-mc-system id="..."><name/>
 * <mcptt-UE-initial-configuration xmlns="urn:3gpp:mcptt:mcpttUEinitConfig:1.0">...`.
 */
import type { z } from 'zod';
import { complex, ext3gpp, one, opt, reqAttr, some, xsString, xsToken } from '@mcx/xml';
import { UE_INIT_CONFIG_NS, UE_INIT_CONFIG_ROOT, ueInitConfigCodec } from '../ue-init-config/ue-init-config.ts';
import {
  PARTNER_MC_SYSTEM_ELEMENT,
  PARTNER_MC_SYSTEM_ID_ATTRIBUTE,
  PARTNER_MC_SYSTEM_NAME_ELEMENT,
  PARTNER_MC_SYSTEMS_ELEMENT,
  PARTNER_MC_SYSTEMS_NS,
} from './names.ts';

export const partnerMcSystemCodec = complex({
  /** Identity of the partner MC system (e.g. "mcx-b"). */
  id: reqAttr(PARTNER_MC_SYSTEM_ID_ATTRIBUTE, xsToken),
  name: opt(PARTNER_MC_SYSTEM_NAME_ELEMENT, xsString),
  /** The MCS UE initial configuration document for the partner MC system (complete, embedded). */
  ueInitConfig: one(UE_INIT_CONFIG_ROOT, ueInitConfigCodec, UE_INIT_CONFIG_NS),
  other: ext3gpp().other,
  otherAttrs: ext3gpp().otherAttrs,
});

export const partnerMcSystemsCodec = complex({
  entries: some(PARTNER_MC_SYSTEM_ELEMENT, partnerMcSystemCodec),
  other: ext3gpp().other,
});

export const partnerMcSystemSchema = partnerMcSystemCodec.schema;
export type PartnerMcSystem = z.infer<typeof partnerMcSystemSchema>;
export const partnerMcSystemsSchema = partnerMcSystemsCodec.schema;
export type PartnerMcSystems = z.infer<typeof partnerMcSystemsSchema>;

/** The field to put into an `anyExt` codec (see the user profile). */
export function partnerMcSystemsField() {
  return opt(PARTNER_MC_SYSTEMS_ELEMENT, partnerMcSystemsCodec, PARTNER_MC_SYSTEMS_NS);
}
