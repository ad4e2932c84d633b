/**
 * Lane names of the sequence diagram from addresses: the UE host knows each system's endpoints
 * (config), so `http://127.0.0.1:7102/...` is "CMS-A" and a SIP datagram to port 5204 "MCS-B".
 */
import { laneOf, type UeHostSystem } from '../config/config.ts';

export class Lanes {
  readonly #http = new Map<string, string>();
  readonly #sip = new Map<string, string>();

  add(origin: string, lane: string): void {
    try {
      this.#http.set(new URL(origin).origin, lane);
    } catch {
      /* not a URL */
    }
  }

  addSip(uri: string | undefined, lane: string): void {
    const m = uri ? /@?([^@;:>]+):(\d+)/.exec(uri.replace(/^sips?:/, '')) : null;
    if (m) this.#sip.set(`${m[1]}:${m[2]}`, lane);
  }

  static of(systems: readonly UeHostSystem[]): Lanes {
    const lanes = new Lanes();
    for (const s of systems) {
      const x = laneOf(s);
      const e = s.endpoints;
      lanes.add(s.cmsXcapRoot, `CMS-${x}`);
      if (e.cms?.xcapRoot) lanes.add(e.cms.xcapRoot, `CMS-${x}`);
      if (e.gms?.xcapRoot) lanes.add(e.gms.xcapRoot, `GMS-${x}`);
      if (e.idms?.issuer) lanes.add(e.idms.issuer, `IdMS-${x}`);
      lanes.addSip(e.cms?.sip, `CMS-${x}`);
      lanes.addSip(e.gms?.sip, `GMS-${x}`);
      lanes.addSip(e.mcs?.sip, `MCS-${x}`);
    }
    return lanes;
  }

  http(url: string): string {
    try {
      const u = new URL(url);
      return this.#http.get(u.origin) ?? u.host;
    } catch {
      return url;
    }
  }

  sip(host: string, port: number): string {
    return this.#sip.get(`${host}:${port}`) ?? `${host}:${port}`;
  }
}
