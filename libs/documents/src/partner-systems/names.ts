/**
 * Element names of the list of partner MC systems to which the MCS UE can migrate
 * (TS 24.484 clause 4.2.2.1.2.1). The Rel-13 schema has no element for this list,
 * so it is carried in the user profile's root `<anyExt>` in a namespace of OURS (not 3GPP's).
 * All names live here so they can follow the spec once its element names are known.
 */
export const PARTNER_MC_SYSTEMS_NS = 'urn:mcx-ecosystem:xml:ns:partner-mc-systems:1.0';
export const PARTNER_MC_SYSTEMS_ELEMENT = 'partner-mc-systems';
export const PARTNER_MC_SYSTEM_ELEMENT = 'partner-mc-system';
/** Attribute holding the identity of the partner MC system. */
export const PARTNER_MC_SYSTEM_ID_ATTRIBUTE = 'id';
/** Optional human readable name of the partner MC system. */
export const PARTNER_MC_SYSTEM_NAME_ELEMENT = 'name';
