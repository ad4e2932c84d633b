import type { ServiceConfig } from './service-config.ts';

/**
 * Signalling protection when `<signalling-protection>` or its children are absent: both ON
 * (TS 24.484 clause 8.4.2.6; Servconf.xsd `default="true"`). A UE following the spec then
 * protects mcptt-info/XML bodies, so a server that does not implement it must write `false`.
 */
export const SIGNALLING_PROTECTION_DEFAULT = { confidentialityProtection: true, integrityProtection: true } as const;

/** Protection between MCPTT servers when absent: both allowed (Servconf.xsd `default="true"`, TS 24.484 clause 8.4.2.6). */
export const SERVER_PROTECTION_DEFAULT = { allowSignallingProtection: true, allowFloorControlProtection: true } as const;

/** The effective signalling protection of the first on-network block. */
export function effectiveSignallingProtection(doc: ServiceConfig): { confidentialityProtection: boolean; integrityProtection: boolean } {
  const sp = doc.params?.onNetwork?.[0]?.signallingProtection;
  return {
    confidentialityProtection: sp?.confidentialityProtection ?? SIGNALLING_PROTECTION_DEFAULT.confidentialityProtection,
    integrityProtection: sp?.integrityProtection ?? SIGNALLING_PROTECTION_DEFAULT.integrityProtection,
  };
}

export function effectiveServerProtection(doc: ServiceConfig): { allowSignallingProtection: boolean; allowFloorControlProtection: boolean } {
  const sp = doc.params?.onNetwork?.[0]?.protectionBetweenMcpttServers;
  return {
    allowSignallingProtection: sp?.allowSignallingProtection ?? SERVER_PROTECTION_DEFAULT.allowSignallingProtection,
    allowFloorControlProtection: sp?.allowFloorControlProtection ?? SERVER_PROTECTION_DEFAULT.allowFloorControlProtection,
  };
}
