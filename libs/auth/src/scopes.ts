/**
 * MC scopes (TS 33.180 annex B.3 / TS 24.482): the OAuth scopes an MCX client requests from the
 * IdMS and that each resource server (MCS, CMS, GMS, KMS) checks in the access token.
 *
 * Rel-13 (TS 33.179 annex B) named them `3gpp:mcptt:*_server`; later releases use
 * `3gpp:mc:*_service`. Both spellings are accepted everywhere; the legacy name is an alias of
 * the current one.
 */
export const MC_SCOPES = {
  pttService: '3gpp:mc:ptt_service',
  pttConfigManagement: '3gpp:mc:ptt_config_management_service',
  pttGroupManagement: '3gpp:mc:ptt_group_management_service',
  pttKeyManagement: '3gpp:mc:ptt_key_management_service',
  videoService: '3gpp:mc:video_service',
  videoConfigManagement: '3gpp:mc:video_config_management_service',
  videoGroupManagement: '3gpp:mc:video_group_management_service',
  dataService: '3gpp:mc:data_service',
  dataConfigManagement: '3gpp:mc:data_config_management_service',
  dataGroupManagement: '3gpp:mc:data_group_management_service',
} as const;

export type McScope = (typeof MC_SCOPES)[keyof typeof MC_SCOPES];

/** Legacy Rel-13 scope names (TS 33.179 annex B) and the current scope each one stands for. */
export const LEGACY_SCOPE_ALIASES: Readonly<Record<string, McScope>> = {
  '3gpp:mcptt:ptt_server': MC_SCOPES.pttService,
  '3gpp:mcptt:config_management_server': MC_SCOPES.pttConfigManagement,
  '3gpp:mcptt:group_management_server': MC_SCOPES.pttGroupManagement,
  '3gpp:mcptt:key_management_server': MC_SCOPES.pttKeyManagement,
};

/** An MC service a user account can be entitled to (TS 23.280 clause 10.1: MCPTT, MCVideo, MCData). */
export type McService = 'mcptt' | 'mcvideo' | 'mcdata';

/** Which entitlement a scope needs. Legacy names map like their current counterpart. */
export function serviceOfScope(scope: string): McService | undefined {
  const current = LEGACY_SCOPE_ALIASES[scope] ?? scope;
  if (current.startsWith('3gpp:mc:ptt_')) return 'mcptt';
  if (current.startsWith('3gpp:mc:video_')) return 'mcvideo';
  if (current.startsWith('3gpp:mc:data_')) return 'mcdata';
  return undefined;
}

/** Every MC scope name, current and legacy. */
export const ALL_MC_SCOPES: readonly string[] = [...Object.values(MC_SCOPES), ...Object.keys(LEGACY_SCOPE_ALIASES)];

/** True for an MC scope (current or legacy). */
export function isMcScope(scope: string): boolean {
  return ALL_MC_SCOPES.includes(scope);
}

/** Current name of a scope (legacy aliases are replaced, others kept). */
export function canonicalScope(scope: string): string {
  return LEGACY_SCOPE_ALIASES[scope] ?? scope;
}

/** Splits an OAuth `scope` string (RFC 6749 clause 3.3) and returns the canonical names. */
export function canonicalScopes(scope: string | readonly string[] | undefined): Set<string> {
  const list = typeof scope === 'string' ? scope.split(' ') : (scope ?? []);
  return new Set(list.filter(Boolean).map(canonicalScope));
}

/**
 * The scope each resource server checks (TS 33.180 annex B: "each resource server checks its
 * own scope"): the MCS the service scopes, the CMS the configuration management scopes, the
 * GMS the group management scopes.
 */
export const RESOURCE_SERVER_SCOPES = {
  mcs: [MC_SCOPES.pttService, MC_SCOPES.videoService, MC_SCOPES.dataService],
  cms: [MC_SCOPES.pttConfigManagement, MC_SCOPES.videoConfigManagement, MC_SCOPES.dataConfigManagement],
  gms: [MC_SCOPES.pttGroupManagement, MC_SCOPES.videoGroupManagement, MC_SCOPES.dataGroupManagement],
} as const;

export type ResourceServerKind = keyof typeof RESOURCE_SERVER_SCOPES;
