// Public surface of @mcx/v8-profile: the one V8 profiler of the mcx benches (migration, gms, cms, idms).
export { ALLOCATION_SAMPLING_BYTES, isAllocationProfile, profileFileOf, startV8Profile, type V8Profiler } from './v8-profile.ts';
