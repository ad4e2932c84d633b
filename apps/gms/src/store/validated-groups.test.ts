/** The validated-model hand-over between the XCAP write and the group directory. */
import { expect, it } from 'vitest';
import { parseGroup, serializeGroup } from '@mcx/documents';
import { GroupDirectory } from './group-directory.ts';
import { ValidatedGroups } from './validated-groups.ts';

const body = (members: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><group xmlns="urn:oma:xml:poc:list-service"><list-service uri="sip:fire-1@x"><list>${members
    .map((m) => `<entry uri="${m}"/>`)
    .join('')}</list></list-service></group>`;

it('hands a model over once per body, and forgets the oldest beyond its capacity', () => {
  const validated = new ValidatedGroups();
  const group = parseGroup(body(['sip:a@x']));
  validated.remember('b0', group);
  expect(validated.take('b0')).toBe(group);
  expect(validated.take('b0')).toBeUndefined();
  for (let i = 0; i < 17; i++) validated.remember(`b${i}`, group);
  expect(validated.take('b0')).toBeUndefined();
  expect(validated.take('b16')).toBe(group);
});

it('the directory takes the validated model of a stored body: same membership as parsing it, and the same model for the admin view', () => {
  const validated = new ValidatedGroups();
  const withModel = new GroupDirectory(validated);
  const parsing = new GroupDirectory();
  const text = body(['sip:a@x', 'sip:b@x']);
  const model = parseGroup(text);
  validated.remember(text, model);
  const stored = { selector: 'org.openmobilealliance.groups/global/byGroupID/sip:fire-1@x', body: text, etag: 'e1', version: 1, contentType: 'application/vnd.oma.poc.groups+xml', updatedAt: new Date() };
  withModel.apply({ selector: stored.selector, previous: undefined, next: stored });
  parsing.apply({ selector: stored.selector, previous: undefined, next: stored });
  const a = withModel.get(stored.selector)!;
  const b = parsing.get(stored.selector)!;
  expect([a.mcGroupId, [...a.members]]).toEqual([b.mcGroupId, [...b.members]]);
  expect(a.group).toBe(model);
  expect(serializeGroup(b.group)).toBe(serializeGroup(model));
});
