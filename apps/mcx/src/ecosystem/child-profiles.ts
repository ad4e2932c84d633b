/**
 * CPU profiles of the processes `mcx` forks (`mcx bench migration --profile FILE`, issue #14): the
 * bench's own process writes FILE, and each child process (an MC system's, a replica's, a UE host's)
 * profiles itself into FILE with its name before the extension (`m.cpuprofile` →
 * `m.ue-host-1.cpuprofile`), over its IPC channel (`profile` / `profiled`, child-side.ts). Without
 * them a profile showed only the parent's share of the work, not the UE host's. The names are
 * libs/v8-profile's `profileFileOf`.
 */
import { profileFileOf } from '@mcx/v8-profile';

/** A child that answers `profile`: `ask(file)` starts its profile, `ask(null)` stops and writes it. */
export interface ProfiledChild {
  name: string;
  ask(file: string | null): Promise<{ bytes: number; error?: string }>;
}

/** Stops every child's profile and resolves with the files written. */
export type StopProfiles = () => Promise<string[]>;

/** Starts a CPU profile in every child (into {@link profileFileOf}); a child that cannot start one fails the call. */
export async function profileEach(children: readonly ProfiledChild[], file: string): Promise<StopProfiles> {
  const check = (c: ProfiledChild, answer: { bytes: number; error?: string }) => {
    if (answer.error !== undefined) throw new Error(`${c.name}: its CPU profile failed: ${answer.error}`);
    return answer.bytes;
  };
  await Promise.all(children.map(async (c) => check(c, await c.ask(profileFileOf(file, c.name)))));
  return async () => {
    const written = await Promise.all(children.map(async (c) => (check(c, await c.ask(null)) > 0 ? profileFileOf(file, c.name) : undefined)));
    return written.filter((f): f is string => f !== undefined);
  };
}
