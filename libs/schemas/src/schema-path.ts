/** Where the schemas of this package live: `libs/schemas/xsd`, the same folder from `src/` and `dist/`. */
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaError } from './schema-error.ts';

export const XSD_ROOT = fileURLToPath(new URL('../xsd/', import.meta.url));

/**
 * The absolute path of a schema given relative to the schema folder, e.g.
 * `schemaPath('rel13/mcptt-user-profile.xsd')`. A name that leaves the folder is refused.
 */
export function schemaPath(name: string): string {
  const path = resolve(XSD_ROOT, name);
  const rel = relative(XSD_ROOT, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new SchemaError('outside-schema-folder', name, 'not a file below the schema folder');
  }
  return path;
}
