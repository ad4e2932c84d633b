import { describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { withFetch } from './login.ts';

const discovered = () =>
  new oidc.Configuration({ issuer: 'http://127.0.0.1:1', token_endpoint: 'http://127.0.0.1:1/token' }, 'ue', { token_endpoint_auth_method: 'none' }, oidc.None());

describe('withFetch', () => {
  it('is the configuration itself without an HTTP client of its own', () => {
    const config = discovered();
    expect(withFetch(config, undefined)).toBe(config);
  });

  it('gives one copy per (configuration, HTTP client), whose requests go through that client', async () => {
    const config = discovered();
    const seen: string[] = [];
    const mine: typeof fetch = async (input) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return new Response(JSON.stringify({ access_token: 'at', token_type: 'bearer' }), { headers: { 'content-type': 'application/json' } });
    };
    const other: typeof fetch = async () => new Response('{}', { status: 500 });
    const copy = withFetch(config, mine);
    expect(copy).not.toBe(config);
    expect(withFetch(config, mine)).toBe(copy);
    expect(withFetch(config, other)).not.toBe(copy);
    expect(withFetch(discovered(), mine)).not.toBe(copy);
    expect(copy.serverMetadata().token_endpoint).toBe('http://127.0.0.1:1/token');
    const tokens = await oidc.genericGrantRequest(copy, 'urn:ietf:params:oauth:grant-type:token-exchange', { subject_token: 's', subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' });
    expect(tokens.access_token).toBe('at');
    expect(seen).toEqual(['http://127.0.0.1:1/token']);
  });
});
