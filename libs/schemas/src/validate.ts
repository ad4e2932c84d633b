/**
 * In-process XML validation with libxml2's xmllint compiled to WebAssembly (xmllint-wasm): no
 * system package, no network (`--nonet`). Stricter than xmllint's exit status: any diagnostic
 * libxml2 prints (a namespace error such as "xml namespace URI mapped to wrong prefix", a
 * warning, in the document or in a schema) fails the check; that choice is ours, so that a
 * document passes only when xmllint would say nothing but "validates".
 */
import { validateXML } from 'xmllint-wasm';
import { SchemaError } from './schema-error.ts';
import { loadSchemaSet } from './schema-set.ts';

export interface ValidationResult {
  readonly ok: boolean;
  /** libxml2's diagnostics, one per entry, without the echoed source line and caret. */
  readonly errors: string[];
}

const DOCUMENT = 'document.xml';
/** Schema compilation failed (xmllint's XMLLINT_ERR_SCHEMACOMP). */
const EXIT_SCHEMA_NOT_COMPILED = 5;

/**
 * Checks `xml` for well-formedness and namespace well-formedness, and when `schema` is given
 * (a path relative to the schema folder, e.g. 'rel13/mcptt-user-profile.xsd') validates it
 * against that schema. Rejects with a {@link SchemaError} when the schema cannot be used.
 */
export async function validateXml(xml: string, schema?: string): Promise<ValidationResult> {
  const [main, ...preload] = schema ? loadSchemaSet(schema) : [];
  let output: string;
  let valid: boolean;
  try {
    const result = await validateXML({
      xml: { fileName: DOCUMENT, contents: xml },
      schema: main ? [main] : [],
      preload,
      modifyArguments: (args) => ['--nonet', ...args],
    });
    output = result.rawOutput;
    valid = result.valid;
  } catch (e) {
    const err = e as Error & { code?: number };
    if (schema && err.code === EXIT_SCHEMA_NOT_COMPILED) throw new SchemaError('not-compiled', schema, diagnostics(err.message).join('\n'));
    throw e;
  }
  const errors = diagnostics(output);
  if (!valid && errors.length === 0) errors.push(`${DOCUMENT} fails to validate`);
  return { ok: valid && errors.length === 0, errors };
}

/** The diagnostic lines of xmllint's output: the verdict lines and the context excerpts dropped. */
function diagnostics(output: string): string[] {
  const lines = output.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || /^\s*\^\s*$/.test(line)) continue;
    // libxml2 echoes the offending source line, then a caret line under it
    if (/^\s*\^\s*$/.test(lines[i + 1] ?? '')) continue;
    if (line === `${DOCUMENT} validates` || line === `${DOCUMENT} fails to validate`) continue;
    out.push(line);
  }
  return out;
}
