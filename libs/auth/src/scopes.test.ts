import { describe, expect, it } from 'vitest';
import { canonicalScopes, isMcScope, LEGACY_SCOPE_ALIASES, MC_SCOPES, serviceOfScope } from './scopes.ts';

describe('MC scopes (TS 33.180 annex B)', () => {
  it('maps every legacy Rel-13 name to a current scope', () => {
    expect(LEGACY_SCOPE_ALIASES['3gpp:mcptt:ptt_server']).toBe(MC_SCOPES.pttService);
    expect(LEGACY_SCOPE_ALIASES['3gpp:mcptt:config_management_server']).toBe(MC_SCOPES.pttConfigManagement);
    expect(LEGACY_SCOPE_ALIASES['3gpp:mcptt:group_management_server']).toBe(MC_SCOPES.pttGroupManagement);
    expect([...canonicalScopes('openid 3gpp:mcptt:ptt_server')]).toEqual(['openid', MC_SCOPES.pttService]);
  });

  it('knows which service entitlement a scope needs', () => {
    expect(serviceOfScope('3gpp:mcptt:group_management_server')).toBe('mcptt');
    expect(serviceOfScope(MC_SCOPES.videoService)).toBe('mcvideo');
    expect(serviceOfScope(MC_SCOPES.dataConfigManagement)).toBe('mcdata');
    expect(serviceOfScope('openid')).toBeUndefined();
    expect(isMcScope('openid')).toBe(false);
  });
});
