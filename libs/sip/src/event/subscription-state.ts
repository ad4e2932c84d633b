/** Subscription-State header (RFC 6665 clause 8.2.3). */
import { parseParams } from '../message/params.ts';

export interface SubscriptionState {
  state: 'active' | 'pending' | 'terminated' | string;
  expires?: number;
  reason?: string;
  retryAfter?: number;
}

export function parseSubscriptionState(value: string): SubscriptionState {
  const semi = value.indexOf(';');
  const state = (semi >= 0 ? value.slice(0, semi) : value).trim().toLowerCase();
  if (!/^[a-z0-9!%*_+`'~.-]+$/.test(state)) throw new Error(`Malformed Subscription-State "${value}"`);
  const params = semi >= 0 ? parseParams(value.slice(semi)) : new Map<string, string>();
  const out: SubscriptionState = { state };
  const num = (name: string): number | undefined => {
    const v = params.get(name);
    return v !== undefined && /^\d{1,10}$/.test(v) ? Number(v) : undefined;
  };
  const expires = num('expires');
  if (expires !== undefined) out.expires = expires;
  const retryAfter = num('retry-after');
  if (retryAfter !== undefined) out.retryAfter = retryAfter;
  const reason = params.get('reason');
  if (reason) out.reason = reason.toLowerCase();
  return out;
}
