import type { Processes } from '../ecosystem/ecosystem.ts';

/** `--processes`: single or per-system (undefined: the file says). */
export function processesOption(value: string | undefined): Processes | undefined {
  if (value === undefined) return undefined;
  if (value === 'single' || value === 'per-system') return value;
  throw new Error(`--processes takes single or per-system, not "${value}"`);
}

/** `--replicas N`: instances of the CMS, GMS and MCS per system, 1 to 8 (undefined: the file says). */
export function replicasOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-8]$/.test(value)) throw new Error(`--replicas takes 1 to 8, not "${value}"`);
  return Number(value);
}
