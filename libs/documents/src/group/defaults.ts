import type { Group } from './group.ts';

/**
 * Media and floor control signalling protection of a group when the elements are absent:
 * protected (TS 24.481 clause 7.2.8 as other implementations cite it; secure by default).
 */
export const GROUP_PROTECTION_DEFAULT = { protectMedia: true, protectFloorControlSignalling: true } as const;

export function effectiveGroupProtection(group: Group): { protectMedia: boolean; protectFloorControlSignalling: boolean } {
  const ls = group.listService;
  return {
    protectMedia: ls.protectMedia ?? GROUP_PROTECTION_DEFAULT.protectMedia,
    protectFloorControlSignalling: ls.protectFloorControlSignalling ?? GROUP_PROTECTION_DEFAULT.protectFloorControlSignalling,
  };
}
