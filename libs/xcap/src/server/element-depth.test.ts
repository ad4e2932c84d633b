import { describe, expect, it } from 'vitest';
import { XcapError } from '../errors/xcap-error.ts';
import { checkElementDepth, elementDepth, MAX_ELEMENT_DEPTH } from './element-depth.ts';

describe('elementDepth', () => {
  it('counts nested elements, not empty-element tags, comments, CDATA, PIs or > in attribute values', () => {
    expect(elementDepth('<?xml version="1.0"?><a x="<b>/>"><!-- <c><d> --><b/><b><![CDATA[<e><f>]]><c y=\'>\'>t</c></b></a>')).toBe(3);
  });

  it('measures a 50,000-deep nesting without recursion', () => {
    expect(elementDepth(`${'<x>'.repeat(50_000)}${'</x>'.repeat(50_000)}`)).toBe(50_000);
  });
});

describe('checkElementDepth', () => {
  it(`accepts ${MAX_ELEMENT_DEPTH} levels and refuses one more with the condition asked for`, () => {
    const nest = (n: number) => `${'<x>'.repeat(n)}${'</x>'.repeat(n)}`;
    expect(() => checkElementDepth(nest(MAX_ELEMENT_DEPTH))).not.toThrow();
    const refused = (() => {
      try {
        checkElementDepth(nest(MAX_ELEMENT_DEPTH + 1), 'not-xml-frag');
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(XcapError);
    expect((refused as XcapError).condition.tag).toBe('not-xml-frag');
    expect((refused as XcapError).render().status).toBe(409);
  });
});
