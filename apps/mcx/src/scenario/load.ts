/**
 * Reads a scenario file and checks it before anything runs: a YAML error, an unknown step type,
 * an unknown key or a value outside its enum (a UE state, a protocol, a peer) is an error naming
 * file:line, the step (its number and type) and the nearest valid name when there is one.
 */
import { nearestKey } from '@mcx/ecosystem';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { scenarioSchema, stepSchema, type Scenario } from './schema.ts';

/** Each step type and the schema of its value. */
const STEP_TYPES: ReadonlyMap<string, z.ZodType> = new Map(
  stepSchema.options.map((option) => {
    const [type, schema] = Object.entries(option.shape)[0]!;
    return [type, schema as z.ZodType];
  }),
);

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: invalid scenario\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

/** Zod's message, with the nearest valid key for an unknown one. */
function messageOf(issue: z.core.$ZodIssue, validKeys: (path: readonly PropertyKey[]) => string[]): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const valid = validKeys(issue.path);
  return issue.keys
    .map((key) => {
      const near = nearestKey(key, valid);
      return `unknown key "${key}"${near ? `: did you mean "${near}"?` : ''} (valid: ${valid.join(', ')})`;
    })
    .join('; ');
}

/** The keys the schema allows in the object at `path`. */
function keysOfSchema(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let t: z.ZodType = schema;
  const unwrap = () => {
    for (;;) {
      if (t instanceof z.ZodDefault || t instanceof z.ZodOptional || t instanceof z.ZodNullable)
        t = t.unwrap() as z.ZodType;
      else if (t instanceof z.ZodPipe) t = t.in as z.ZodType;
      else return;
    }
  };
  unwrap();
  for (const segment of path) {
    if (t instanceof z.ZodArray) t = t.element as z.ZodType;
    else if (t instanceof z.ZodObject && typeof segment === 'string' && segment in t.shape)
      t = t.shape[segment] as z.ZodType;
    else return [];
    unwrap();
  }
  return t instanceof z.ZodObject ? Object.keys(t.shape) : [];
}

/** The line of the deepest node of `path` that exists in the document (a missing key points at its parent; an unknown one at itself). */
function lineOf(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): number | undefined {
  if (key !== undefined) {
    const map = path.length === 0 ? doc.contents : doc.getIn(path as (string | number)[], true);
    const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
    if (isScalar(pair?.key) && pair.key.range) return lines.linePos(pair.key.range[0]).line;
  }
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0)
    throw new ScenarioError(
      file,
      doc.errors.map((e) => `${file}:${lines.linePos(e.pos[0]).line}: ${e.message}`),
    );
  const problems: string[] = [];
  const report = (
    schema: z.ZodType,
    base: (string | number)[],
    issues: readonly z.core.$ZodIssue[],
    prefix: string,
  ) => {
    for (const issue of issues) {
      const path = [...base, ...issue.path];
      const key = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys[0] : undefined;
      const field = pathText(key ? [...issue.path, key] : issue.path);
      problems.push(
        `${file}:${lineOf(doc, lines, path, key) ?? '?'}: ${prefix}${field ? `${field}: ` : ''}${messageOf(issue, (p) => keysOfSchema(schema, p))}`,
      );
    }
  };
  const js = (doc.toJS() ?? {}) as Record<string, unknown>;
  const marks = new Set<string>();
  for (const block of ['steps', 'cleanup'] as const) {
    const steps = doc.get(block, true);
    const stepNodes = isSeq(steps) ? steps.items : [];
    const stepValues = Array.isArray(js[block]) ? (js[block] as Array<Record<string, unknown>>) : [];
    const label = block === 'steps' ? 'step' : 'cleanup step';
    stepNodes.forEach((node, i) => {
      const where = `${file}:${lineOf(doc, lines, [block, i]) ?? '?'}: ${label} ${i + 1}`;
      if (!isMap(node) || node.items.length !== 1 || !isScalar(node.items[0]!.key)) {
        problems.push(`${where}: a step is one key, its type (${[...STEP_TYPES.keys()].join(', ')})`);
        return;
      }
      const type = String(node.items[0]!.key.value);
      const schema = STEP_TYPES.get(type);
      if (!schema) {
        const near = nearestKey(type, [...STEP_TYPES.keys()]);
        problems.push(
          `${where}: unknown step "${type}"${near ? `: did you mean "${near}"?` : ''} (steps: ${[...STEP_TYPES.keys()].join(', ')})`,
        );
        return;
      }
      const value = stepValues[i]?.[type];
      const result = schema.safeParse(value);
      if (!result.success)
        report(schema, [block, i, type], result.error.issues, `${label} ${i + 1} (${type}): `);
      // A point named by `after:` must be marked before (our choice: a typo is not a silent "since the start").
      if (type === 'mark' && typeof value === 'string') marks.add(value);
      const afterName = (value as { after?: unknown } | undefined)?.after;
      if (typeof afterName === 'string' && !marks.has(afterName))
        problems.push(
          `${file}:${lineOf(doc, lines, [block, i, type, 'after']) ?? '?'}: ${label} ${i + 1} (${type}): after: no "mark: ${afterName}" before this step${marks.size ? ` (marks: ${[...marks].join(', ')})` : ''}`,
        );
    });
  }
  const whole = scenarioSchema.safeParse(js);
  if (!whole.success) {
    // A step's own problems are reported above, with its number and type.
    const rest = whole.error.issues.filter(
      (issue) => (issue.path[0] !== 'steps' && issue.path[0] !== 'cleanup') || issue.path.length === 1,
    );
    report(scenarioSchema, [], problems.length > 0 ? rest : whole.error.issues, '');
  }
  if (!whole.success || problems.length > 0) throw new ScenarioError(file, problems);
  return whole.data;
}
