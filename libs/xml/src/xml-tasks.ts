/**
 * Tasks for an XmlWorkerPool that need no document type (the pool's tests and bench): parse a
 * text within limits and report its shape. Servers give their pool a task module of their own
 * (e.g. the CMS's schema validation).
 */
import { readFileSync } from 'node:fs';
import { isDocumentError } from './document-error.ts';
import { xmlLimitViolation, type XmlLimits, type XmlShape } from './limits.ts';
import { parseXml } from './parse.ts';
import { serializeDocument } from './serialize.ts';

export type ParseOutcome = { ok: true; elements: number; depth: number; serializedLength: number } | { ok: false; code: string; reason: string };

/** Parses `xml` (refusing what exceeds `limits`), serializes it back, and says how large it was. */
export function parseChecked(input: { xml: string; limits: XmlLimits }): ParseOutcome {
  const shape: XmlShape = { elements: 0, depth: 0 };
  const v = xmlLimitViolation(input.xml, input.limits, shape);
  if (v !== null) return { ok: false, code: 'limit-exceeded', reason: v.phrase };
  try {
    const doc = parseXml(input.xml);
    return { ok: true, elements: shape.elements, depth: shape.depth, serializedLength: serializeDocument(doc).length };
  } catch (e) {
    if (isDocumentError(e)) return { ok: false, code: e.code, reason: e.reason };
    throw e;
  }
}

/** The niceness of the calling thread (Linux: field 19 of /proc/thread-self/stat). */
export function threadNiceness(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** Throws: the pool's tests check that a task's error reaches the caller. */
export function fail(input: { message: string }): never {
  throw new TypeError(input.message);
}
