/** Changes the bytes of a UE's protected local copy in the UE host's copy log (apps/ue at-rest), as an attacker with the disk could. */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { ProtectedStore } from '../src/index.ts';

export function tamperWith(store: ProtectedStore, system: string, selector: string, change: (payload: Buffer) => Buffer): void {
  const at = store.locate(system, selector);
  if (!at) throw new Error(`no copy of ${system} ${selector} in the log`);
  const fd = openSync(at.path, 'r+');
  try {
    const payload = Buffer.alloc(at.length);
    readSync(fd, payload, 0, at.length, at.offset);
    const next = change(payload);
    if (next.length !== at.length) throw new Error('tamperWith: keep the length (a record of another length would misalign the log)');
    writeSync(fd, next, 0, next.length, at.offset);
  } finally {
    closeSync(fd);
  }
}
