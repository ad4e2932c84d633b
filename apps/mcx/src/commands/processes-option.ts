import type { Processes } from '../ecosystem/ecosystem.ts';

/** `--processes`: single or per-system (undefined: the file says). */
export function processesOption(value: string | undefined): Processes | undefined {
  if (value === undefined) return undefined;
  if (value === 'single' || value === 'per-system') return value;
  throw new Error(`--processes takes single or per-system, not "${value}"`);
}
