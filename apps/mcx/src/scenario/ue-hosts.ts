/**
 * Which UE host a scenario's UE lives on, when `mcx scenario run` drives several (`--ue-hosts N`:
 * UE host processes it starts, ecosystem/ue-host-processes.ts; `--ue-host URL`: hosts already
 * running, `mcx ue-host`). One router for the whole run, shared by every scenario:
 *
 * - a `start_ue` takes the next host round-robin, in the order the run creates UEs (our choice: a
 *   hash of the UE id could put the two UEs of a scenario on the same host; round-robin shares them
 *   out evenly and, with --parallel 1, the same way on every run);
 * - every later step on that UE (PLMN change, expectations, sync, upload, faults, stop) goes to the
 *   host that owns it;
 * - a UE this run did not create (one the ecosystem's own UE host runs, e.g. `mcx up`'s demo UEs)
 *   is addressed at the ecosystem's UE host, as without the option.
 */

/** A UE host the runner talks to: its control API (docs/ue-host-api.md) and its control secret. */
export interface UeHostRef {
  /** "ue-host-1", ... or the URL of a host given with --ue-host; "ecosystem" for the ecosystem's own. */
  name: string;
  url: string;
  token: string;
}

export class UeHostRouter {
  #hosts: UeHostRef[];
  #next = 0;
  readonly #owner = new Map<string, UeHostRef>();

  constructor(hosts: readonly UeHostRef[]) {
    if (hosts.length === 0) throw new Error('a UE host router needs at least one UE host');
    this.#hosts = [...hosts];
  }

  get hosts(): readonly UeHostRef[] {
    return this.#hosts;
  }

  /** The host a UE about to be created goes to (the next one, round-robin); it owns the UE from now on. */
  assign(ueId: string): UeHostRef {
    const host = this.#hosts[this.#next++ % this.#hosts.length]!;
    this.#owner.set(ueId, host);
    return host;
  }

  /** The host that owns a UE (the one it was created on); undefined for a UE this run did not create. */
  of(ueId: string): UeHostRef | undefined {
    return this.#owner.get(ueId);
  }

  /** A UE creation that failed or a UE stopped: it is no one's any more. */
  release(ueId: string): void {
    this.#owner.delete(ueId);
  }

  /** The hosts started again (restart_ecosystem): new addresses, and every UE they ran is gone. */
  replace(hosts: readonly UeHostRef[]): void {
    if (hosts.length === 0) throw new Error('a UE host router needs at least one UE host');
    this.#hosts = [...hosts];
    this.#owner.clear();
  }
}
