/**
 * The XCAP node selector (RFC 4825 clause 6.3): a parser producing a typed AST.
 *
 *   node-selector      = element-selector ["/" terminal-selector]
 *   terminal-selector  = attribute-selector / namespace-selector / extension-selector
 *   element-selector   = step *( "/" step)
 *   step               = by-name / by-pos / by-attr / by-pos-attr / extension-selector
 *   by-pos             = NameorAny "[" position "]"
 *   by-attr            = NameorAny "[" attr-test "]"
 *   by-pos-attr        = NameorAny "[" position "]" "[" attr-test "]"
 *   attr-test          = "@" att-name "=" att-value     ; att-value is XML's AttValue
 *   attribute-selector = "@" att-name
 *   namespace-selector = "namespace::*"
 *
 * The input is the node selector after percent-decoding (clause 6.3: the selector is
 * percent-encoded inside the HTTP URI). Extension selectors are not supported (400).
 */
import { BadXcapUri } from '../errors/http-error.ts';
import { formatQName, parseQName, type QName } from './qname.ts';

export type NameTest = { kind: 'any' } | ({ kind: 'name' } & QName);

export interface AttributeTest {
  name: QName;
  value: string;
}

export interface Step {
  name: NameTest;
  /** 1-based position among the siblings that pass the name test (XPath semantics). */
  position?: number;
  /** Applied after the position, as in XPath `name[n][@a="v"]`. */
  attribute?: AttributeTest;
}

export type TerminalSelector = { kind: 'attribute'; name: QName } | { kind: 'namespace' };

export interface NodeSelector {
  steps: Step[];
  terminal?: TerminalSelector;
}

/** Splits on "/" outside quoted attribute values and brackets. */
function splitSteps(input: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  let depth = 0;
  for (const ch of input) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      if (depth === 0) throw new BadXcapUri('quote outside a predicate in node selector');
      quote = ch;
      current += ch;
    } else if (ch === '[') {
      depth++;
      current += ch;
    } else if (ch === ']') {
      depth--;
      if (depth < 0) throw new BadXcapUri('unbalanced "]" in node selector');
      current += ch;
    } else if (ch === '/' && depth === 0) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quote !== null) throw new BadXcapUri('unterminated quoted value in node selector');
  if (depth !== 0) throw new BadXcapUri('unbalanced "[" in node selector');
  out.push(current);
  return out;
}

/** Decodes an XML AttValue (XML 1.0 production [10]) without its quotes. */
export function decodeAttValue(raw: string, quote: '"' | "'" | null): string | undefined {
  if (raw.includes('<')) return undefined;
  if (quote !== null && raw.includes(quote)) return undefined;
  let ok = true;
  const value = raw.replace(/&([^;]*);?/g, (match, ref: string) => {
    if (!match.endsWith(';')) {
      ok = false;
      return '';
    }
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[ref] !== undefined) return named[ref];
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (m) {
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
      if (cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) return String.fromCodePoint(cp);
    }
    ok = false;
    return '';
  });
  return ok ? value : undefined;
}

function parseNameTest(s: string): NameTest {
  if (s === '*') return { kind: 'any' };
  const q = parseQName(s);
  if (q === undefined) throw new BadXcapUri(`invalid element name "${s}" in node selector`);
  return { kind: 'name', ...q };
}

const STEP = /^([^[\]]+)((?:\[(?:[^\]"']|"[^"]*"|'[^']*')*\])*)$/;

function parseStep(raw: string): Step {
  const m = STEP.exec(raw);
  if (!m) throw new BadXcapUri(`invalid step "${raw}" in node selector`);
  const step: Step = { name: parseNameTest(m[1]!) };
  const predicates = [...m[2]!.matchAll(/\[((?:[^\]"']|"[^"]*"|'[^']*')*)\]/g)].map((p) => p[1]!);
  if (predicates.length > 2) throw new BadXcapUri(`too many predicates in step "${raw}"`);
  predicates.forEach((p, i) => {
    if (/^[0-9]+$/.test(p)) {
      if (i !== 0) throw new BadXcapUri(`position must precede the attribute test in "${raw}"`);
      const position = Number(p);
      if (position < 1 || !Number.isSafeInteger(position)) throw new BadXcapUri(`invalid position in "${raw}"`);
      step.position = position;
      return;
    }
    const a = /^@([^=]+)=(?:"([^"]*)"|'([^']*)')$/.exec(p);
    if (!a) throw new BadXcapUri(`invalid predicate "[${p}]" in node selector`);
    if (step.attribute !== undefined) throw new BadXcapUri(`two attribute tests in "${raw}"`);
    if (i === 1 && step.position === undefined) throw new BadXcapUri(`invalid predicates in "${raw}"`);
    const name = parseQName(a[1]!);
    if (name === undefined) throw new BadXcapUri(`invalid attribute name "${a[1]}" in node selector`);
    const value = decodeAttValue(a[2] ?? a[3]!, a[2] !== undefined ? '"' : "'");
    if (value === undefined) throw new BadXcapUri(`invalid attribute value in "${raw}"`);
    step.attribute = { name, value };
  });
  return step;
}

/** Parses a percent-decoded node selector (RFC 4825 clause 6.3). Throws BadXcapUri (400). */
export function parseNodeSelector(input: string): NodeSelector {
  if (input === '') throw new BadXcapUri('empty node selector');
  const parts = splitSteps(input);
  let terminal: TerminalSelector | undefined;
  const last = parts[parts.length - 1]!;
  if (last === 'namespace::*') {
    terminal = { kind: 'namespace' };
    parts.pop();
  } else if (last.startsWith('@')) {
    const name = parseQName(last.slice(1));
    if (name === undefined) throw new BadXcapUri(`invalid attribute selector "${last}"`);
    terminal = { kind: 'attribute', name };
    parts.pop();
  }
  if (parts.length === 0) throw new BadXcapUri('node selector has no element step');
  const steps = parts.map((p) => {
    if (p === '') throw new BadXcapUri('empty step in node selector');
    return parseStep(p);
  });
  return terminal === undefined ? { steps } : { steps, terminal };
}

function quoteAttValue(v: string): string {
  return `"${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')}"`;
}

/** The canonical text form of a node selector (not percent-encoded). */
export function formatNodeSelector(sel: NodeSelector): string {
  const steps = sel.steps.map((s) => {
    let out = s.name.kind === 'any' ? '*' : formatQName(s.name);
    if (s.position !== undefined) out += `[${s.position}]`;
    if (s.attribute !== undefined) out += `[@${formatQName(s.attribute.name)}=${quoteAttValue(s.attribute.value)}]`;
    return out;
  });
  if (sel.terminal?.kind === 'attribute') steps.push(`@${formatQName(sel.terminal.name)}`);
  if (sel.terminal?.kind === 'namespace') steps.push('namespace::*');
  return steps.join('/');
}
