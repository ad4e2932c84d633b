/** The checks every document type gets: XSD (or well-formedness) for minimal and maximal instances, property-based round trip, root/namespace rejections. */
import fc from 'fast-check';
import { validateXml } from '@mcx/schemas';
import { describe, expect, it } from 'vitest';
import { DocumentError, parseXml, type DocumentCodec } from '@mcx/xml';

export interface SuiteInput<T> {
  document: DocumentCodec<T>;
  xsd: string | undefined;
  minimal: T;
  maximal: T;
  arbitrary: fc.Arbitrary<T>;
  numRuns?: number;
}

export function expectDocumentError(f: () => unknown, code: DocumentError['code'], where?: RegExp): DocumentError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DocumentError);
  const e = caught as DocumentError;
  expect(e.code, e.message).toBe(code);
  if (where) expect(e.where).toMatch(where);
  return e;
}

export function documentSuite<T>(name: string, s: SuiteInput<T>): void {
  describe(`${name}: conformance`, () => {
    for (const [label, model] of [['minimal', s.minimal], ['maximal', s.maximal]] as const) {
      it(`serializes a ${label} instance that ${s.xsd ? `validates against ${s.xsd}` : 'is well-formed with the right root and namespace'}`, async () => {
        const xml = s.document.serialize(model);
        const r = await validateXml(xml, s.xsd);
        expect(r.ok, `${r.errors.join('\n')}\n${xml}`).toBe(true);
        if (!s.xsd) {
          const root = parseXml(xml).documentElement;
          expect(root?.localName).toBe(s.document.rootElement);
          expect(root?.namespaceURI).toBe(s.document.namespace);
        }
        expect(s.document.parse(xml)).toEqual(model);
      });
    }
  });

  describe(`${name}: round trip`, () => {
    it('parse(serialize(x)) deep-equals x for generated models, unknown extensions included', () => {
      fc.assert(
        fc.property(s.arbitrary, (x) => {
          const xml = s.document.serialize(x);
          expect(s.document.parse(xml)).toEqual(x);
          // strict parsing accepts what we write (schema order, no unknown own-namespace elements)
          expect(s.document.parse(xml, { strict: true })).toEqual(x);
        }),
        { numRuns: s.numRuns ?? 40 },
      );
    });
  });

  describe(`${name}: rejections`, () => {
    const xml = s.document.serialize(s.minimal);
    it('rejects a wrong root element with wrong-root', () => {
      const renamed = xml.replace(new RegExp(`<${s.document.rootElement}\\b`), '<not-this-root').replace(new RegExp(`</${s.document.rootElement}>`), '</not-this-root>');
      expectDocumentError(() => s.document.parse(renamed), 'wrong-root', /^\/not-this-root/);
    });
    it('rejects the right root in another namespace with wrong-namespace', () => {
      const moved = xml.replace(`xmlns="${s.document.namespace}"`, 'xmlns="urn:3gpp:ns:mcpttUserProfile:1.0"');
      expectDocumentError(() => s.document.parse(moved), 'wrong-namespace');
    });
    it('rejects the root in no namespace with wrong-namespace', () => {
      expectDocumentError(() => s.document.parse(xml.replace(` xmlns="${s.document.namespace}"`, '')), 'wrong-namespace');
    });
    it('rejects truncated XML with not-well-formed', () => {
      expectDocumentError(() => s.document.parse(xml.slice(0, Math.floor(xml.length / 2))), 'not-well-formed');
    });
    it('refuses a DOCTYPE before the root', () => {
      expectDocumentError(() => s.document.parse(xml.replace('?>', '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>')), 'doctype-forbidden');
    });
  });
}
