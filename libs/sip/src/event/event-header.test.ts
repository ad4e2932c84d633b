import { describe, expect, it } from 'vitest';
import { eventHeaderIssue } from './event-header.ts';

describe('Event header grammar (RFC 6665 clause 8.4)', () => {
  it.each(['xcap-diff', 'xcap-diff;id=42', 'presence.winfo', 'xcap-diff ; id=a1 ; x="q;u\\"o" ; flag', 'reg;host=[2001:db8::1]'])('accepts %s', (v) => {
    expect(eventHeaderIssue(v)).toBeNull();
  });
  it.each([
    ['xcap-diff;;;=;;', /parameter ""/],
    ['xcap-diff;', /parameter ""/],
    ['xcap-diff;=x', /parameter "=x"/],
    ['xcap-diff;id=', /parameter "id="/],
    ['xcap-diff;id="open', /parameter/],
    ['', /event type ""/],
    ['xcap diff', /event type/],
    ['.xcap-diff', /event type/],
  ])('refuses %s', (v, why) => {
    expect(eventHeaderIssue(v)).toMatch(why);
  });
});
