/**
 * A schema and every file it imports or includes (XML Schema Part 1 clause 4.2: `xs:include`,
 * `xs:redefine`, `xs:import`), read from the schema folder. libxml2 in WebAssembly sees only the
 * files handed to it, so the whole closure is collected up front. Each file is named by its path
 * relative to the schema folder, which is how libxml2 resolves a relative `schemaLocation`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { SchemaError } from './schema-error.ts';
import { schemaPath } from './schema-path.ts';

export interface SchemaFile {
  /** Path relative to the schema folder, with `/` separators. */
  readonly fileName: string;
  /** The bytes as stored (BOM and line endings kept). */
  readonly contents: Uint8Array;
}

const REFERENCE = /<(?:[\w.-]+:)?(?:include|import|redefine|override)\b[^>]*?\bschemaLocation\s*=\s*(["'])(.*?)\1/g;
const COMMENT = /<!--[\s\S]*?-->/g;

/** The `schemaLocation`s a schema document refers to, in document order. */
export function schemaLocations(xsd: string): string[] {
  return [...xsd.replace(COMMENT, '').matchAll(REFERENCE)].map((m) => m[2] ?? '');
}

const cache = new Map<string, readonly SchemaFile[]>();

/** The schema named (relative to the schema folder) first, then the files it needs. */
export function loadSchemaSet(name: string): readonly SchemaFile[] {
  const cached = cache.get(name);
  if (cached) return cached;
  const files: SchemaFile[] = [];
  const seen = new Set<string>();
  const visit = (fileName: string, from: string | undefined): void => {
    if (seen.has(fileName)) return;
    seen.add(fileName);
    const path = schemaPath(fileName);
    if (!existsSync(path)) {
      throw new SchemaError('not-found', name, from ? `${fileName}, imported by ${from}, is not in the schema folder` : 'no such file in the schema folder');
    }
    const contents = readFileSync(path);
    files.push({ fileName, contents });
    for (const location of schemaLocations(contents.toString('utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(location) || location.startsWith('/')) {
        throw new SchemaError('outside-schema-folder', name, `${fileName} refers to ${location}; point it at a file of the schema folder`);
      }
      const target = posix.normalize(posix.join(posix.dirname(fileName), location));
      if (target.startsWith('../')) {
        throw new SchemaError('outside-schema-folder', name, `${fileName} refers to ${location}, outside the schema folder`);
      }
      visit(target, fileName);
    }
  };
  visit(posix.normalize(name.replaceAll('\\', '/')), undefined);
  cache.set(name, files);
  return files;
}
