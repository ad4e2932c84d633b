import { describe, expect, it } from 'vitest';
import { DocumentError } from './document-error.ts';
import { childElements, parseXml } from './parse.ts';

function errorOf(f: () => unknown): DocumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DocumentError);
    return e as DocumentError;
  }
  throw new Error('expected a DocumentError');
}

describe('parseXml refuses DTDs (no entity is ever resolved or expanded)', () => {
  it('refuses an external entity (XXE) with doctype-forbidden and the position', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<mcptt-user-profile xmlns="urn:3gpp:mcptt:user-profile:1.0" XUI-URI="sip:a@b" user-profile-index="1"><Name>&xxe;</Name></mcptt-user-profile>`;
    const e = errorOf(() => parseXml(xml));
    expect(e.code).toBe('doctype-forbidden');
    expect(e.where).toBe('line 2, column 1');
    expect(e.message).not.toContain('root:');
  });

  it('refuses entity expansion ("billion laughs")', () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('');
    const e = errorOf(() => parseXml(`<!DOCTYPE lolz [${lol}]><lolz>&lol9;</lolz>`));
    expect(e.code).toBe('doctype-forbidden');
  });

  it('refuses a DOCTYPE after a comment and processing instruction, in any case', () => {
    expect(errorOf(() => parseXml('<?xml version="1.0"?><!-- c --><!doctype a SYSTEM "http://x/a.dtd"><a/>')).code).toBe('doctype-forbidden');
  });

  it('accepts the text "<!DOCTYPE" inside a comment', () => {
    expect(parseXml('<a><!-- <!DOCTYPE x> --></a>').documentElement?.localName).toBe('a');
  });

  it('reports malformed XML as not-well-formed with line and column', () => {
    const e = errorOf(() => parseXml('<a>\n  <b></a>'));
    expect(e.code).toBe('not-well-formed');
    expect(e.where).toMatch(/^line 2, column \d+$/);
  });

  it('without node positions, keeps none on the nodes and still reports the line and column of an error', () => {
    const doc = parseXml('<a>\n  <b/></a>', { positions: false });
    const b = childElements(doc.documentElement!)[0] as unknown as { lineNumber?: number };
    expect(b.lineNumber).toBeUndefined();
    expect((childElements(parseXml('<a>\n  <b/></a>').documentElement!)[0] as unknown as { lineNumber?: number }).lineNumber).toBe(2);
    const e = errorOf(() => parseXml('<a>\n  <b></a>', { positions: false }));
    expect(e.code).toBe('not-well-formed');
    expect(e.where).toMatch(/^line 2, column \d+$/);
    expect(e.where).toBe(errorOf(() => parseXml('<a>\n  <b></a>')).where);
  });

  it('reports an undefined entity reference without resolving it', () => {
    expect(errorOf(() => parseXml('<a>&undefined;</a>')).code).toBe('not-well-formed');
  });

  it('reports an unbound prefix, empty input and non-string input', () => {
    expect(errorOf(() => parseXml('<p:a/>')).code).toBe('not-well-formed');
    expect(errorOf(() => parseXml('')).code).toBe('not-well-formed');
    expect(errorOf(() => parseXml(42 as unknown as string)).code).toBe('not-well-formed');
  });
});

describe('parseXml is strict about well-formedness', () => {
  it('refuses an unquoted attribute value, which xmldom alone accepts with a warning', () => {
    const e = errorOf(() => parseXml('<a b=c/>'));
    expect(e.code).toBe('not-well-formed');
    expect(e.reason).toContain('quot');
  });

  it('refuses a duplicate attribute and content after the root element', () => {
    expect(errorOf(() => parseXml('<a b="1" b="2"/>')).code).toBe('not-well-formed');
    expect(errorOf(() => parseXml('<a/>junk')).code).toBe('not-well-formed');
  });

  it('accepts U+FFFD, a legal character xmldom only warns about', () => {
    expect(parseXml('<a b="\uFFFD">\uFFFD</a>').documentElement?.textContent).toBe('\uFFFD');
  });

  it('skips a leading byte order mark and lists element children of the document node', () => {
    const doc = parseXml('\uFEFF<?xml version="1.0"?><!-- c --><r xmlns="urn:r"><a/>t<b/></r>');
    expect(childElements(doc).map((e) => e.localName)).toEqual(['r']);
    expect(childElements(doc.documentElement!).map((e) => e.localName)).toEqual(['a', 'b']);
  });
});
