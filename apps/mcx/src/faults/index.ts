/** The cases of `mcx bench faults`, in the order they run. Each lives in its own module. */
import type { FaultCase } from './fault-case.ts';
import { pgOutageCase } from './pg-outage.ts';
import { kill9Case } from './kill-9.ts';
import { largeUploadCase } from './large-upload.ts';

export const FAULT_CASES: FaultCase[] = [pgOutageCase, kill9Case, largeUploadCase];

export type { FaultCase, FaultCaseOptions, FaultReport } from './fault-case.ts';
