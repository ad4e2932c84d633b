/** The cases of `mcx bench faults`, in the order they run. Each lives in its own module. */
import type { FaultCase } from './fault-case.ts';

export const FAULT_CASES: FaultCase[] = [];

export type { FaultCase, FaultCaseOptions, FaultReport } from './fault-case.ts';
