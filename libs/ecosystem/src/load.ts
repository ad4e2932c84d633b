/**
 * Loads ecosystem.yaml: YAML parse errors and schema errors both name the line, column and field;
 * an unknown key names its own line and column and the nearest valid key (nearest-key.ts).
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import { z } from 'zod';
import { nearestKey } from './nearest-key.ts';
import { ecosystemSchema, type Ecosystem } from './schema.ts';

export interface EcosystemProblem {
  /** Field path, e.g. "users[0].home". */
  field: string;
  line?: number;
  column?: number;
  message: string;
}

export class EcosystemError extends Error {
  readonly problems: EcosystemProblem[];
  constructor(source: string, problems: EcosystemProblem[]) {
    super(
      `${source}: invalid ecosystem file\n` +
        problems.map((p) => `  ${source}:${p.line ?? '?'}:${p.column ?? '?'} ${p.field}: ${p.message}`).join('\n'),
    );
    this.name = 'EcosystemError';
    this.problems = problems;
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(root)';
}

/** The schema inside defaults, optionals and pipes. */
function unwrap(schema: z.ZodType): z.ZodType {
  let t = schema;
  for (;;) {
    if (t instanceof z.ZodDefault || t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t.unwrap() as z.ZodType;
    else if (t instanceof z.ZodPipe) t = t.in as z.ZodType;
    else return t;
  }
}

/** The keys the schema allows in the object at `path` (empty when there is no object there). */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let t = unwrap(schema);
  for (const segment of path) {
    if (t instanceof z.ZodArray) t = unwrap(t.element as z.ZodType);
    else if (t instanceof z.ZodObject && typeof segment === 'string' && segment in t.shape) t = unwrap(t.shape[segment] as z.ZodType);
    else return [];
  }
  return t instanceof z.ZodObject ? Object.keys(t.shape) : [];
}

/** One problem per unknown key, at the key itself, with the nearest valid key or the list of valid ones. */
function unknownKeys(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[], keys: readonly string[]): EcosystemProblem[] {
  const valid = keysAt(ecosystemSchema, path);
  const map = path.length === 0 ? doc.contents : doc.getIn(path as (string | number)[], true);
  return keys.map((key) => {
    const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
    const near = nearestKey(key, valid);
    const message = `unknown key "${key}"${near ? `: did you mean "${near}"?` : ''} (valid: ${valid.join(', ')})`;
    const at = isScalar(pair?.key) && pair.key.range ? lineCounter.linePos(pair.key.range[0]) : undefined;
    return { field: fieldName([...path, key]), ...(at ? { line: at.line, column: at.col } : {}), message };
  });
}

export function parseEcosystem(text: string, source = 'ecosystem.yaml'): Ecosystem {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new EcosystemError(
      source,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { field: '(yaml)', line, column: col, message: e.message };
      }),
    );
  }
  const result = ecosystemSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  throw new EcosystemError(
    source,
    result.error.issues.flatMap((issue): EcosystemProblem[] => {
      if (issue.code === 'unrecognized_keys') return unknownKeys(doc, lineCounter, issue.path, issue.keys);
      // Walk up the path until a node with a source range exists (a missing field points at its parent).
      for (let n = issue.path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(issue.path.slice(0, n) as (string | number)[], true);
        if (isNode(node) && node.range) {
          const { line, col } = lineCounter.linePos(node.range[0]);
          return [{ field: fieldName(issue.path), line, column: col, message: issue.message }];
        }
      }
      return [{ field: fieldName(issue.path), message: issue.message }];
    }),
  );
}

export function loadEcosystem(file: string): Ecosystem {
  return parseEcosystem(readFileSync(file, 'utf8'), file);
}
