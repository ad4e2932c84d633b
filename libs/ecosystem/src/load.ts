/** Loads ecosystem.yaml: YAML parse errors and schema errors both name the line, column and field. */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
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
    result.error.issues.map((issue) => {
      // Walk up the path until a node with a source range exists (a missing field points at its parent).
      for (let n = issue.path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(issue.path.slice(0, n) as (string | number)[], true);
        if (isNode(node) && node.range) {
          const { line, col } = lineCounter.linePos(node.range[0]);
          return { field: fieldName(issue.path), line, column: col, message: issue.message };
        }
      }
      return { field: fieldName(issue.path), message: issue.message };
    }),
  );
}

export function loadEcosystem(file: string): Ecosystem {
  return parseEcosystem(readFileSync(file, 'utf8'), file);
}
