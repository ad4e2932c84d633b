// At-rest protection of local copies (TS 23.280 10.1.4.1: confidentiality and integrity protected),
// in the UE host's copy log (copy-log.ts).
import { mkdtempSync, openSync, closeSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CopyLog } from './copy-log.ts';
import { loadHostSecret, ProtectedStore, type StoredCopy } from './protected-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcx-at-rest-'));
const log = new CopyLog(dir);
afterAll(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

const copy = (selector: string, body = '<mcptt-user-profile XUI-URI="sip:alice@a" user-profile-index="1"/>'): StoredCopy => ({
  system: 'mcx-a', selector, etag: 'e1', contentType: 'application/vnd.3gpp.mcptt-user-profile+xml', body,
});

/** Reads or overwrites bytes of the log file in place (what an attacker with the disk could do). */
function bytesAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(length);
    readSync(fd, b, 0, length, offset);
    return b;
  } finally {
    closeSync(fd);
  }
}
function overwrite(path: string, offset: number, data: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, data, 0, data.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('ProtectedStore (AES-256-GCM, per-UE key from HKDF)', () => {
  const secret = loadHostSecret(dir);
  const store = new ProtectedStore(secret, log, 'ue-alice');

  it('keeps the host secret across starts', () => {
    expect(loadHostSecret(dir).equals(secret)).toBe(true);
    expect(secret).toHaveLength(32);
  });

  it('round-trips a copy and never writes the plaintext, the UE id or the selector to disk', async () => {
    await store.write(copy('cms:doc-1', '<secret-marker/>'));
    expect(await store.read('mcx-a', 'cms:doc-1')).toEqual({ ok: true, copy: copy('cms:doc-1', '<secret-marker/>') });
    const file = readFileSync(log.path).toString('latin1');
    expect(file).not.toContain('secret-marker');
    expect(file).not.toContain('doc-1');
    expect(file).not.toContain('ue-alice');
  });

  it('draws a fresh random nonce for every write, across refills of the nonce pool', async () => {
    const store = new ProtectedStore(loadHostSecret(dir), log, 'ue-nonces');
    const seen = new Set<string>();
    // 600 writes: more than two refills of the 256-nonce pool, and every nonce still in its payload.
    for (let i = 0; i < 600; i += 1) {
      await store.write(copy(`doc-${i % 3}`));
      const at = store.locate('mcx-a', `doc-${i % 3}`)!;
      seen.add(bytesAt(at.path, at.offset, 12).toString('hex'));
      expect((await store.read('mcx-a', `doc-${i % 3}`)).ok).toBe(true);
    }
    expect(seen.size).toBe(600);
    await store.destroy();
  });

  it('detects a modified byte, a truncated payload and a payload moved under another document', async () => {
    await store.write(copy('cms:doc-2'));
    await store.write(copy('cms:doc-3'));
    const at2 = store.locate('mcx-a', 'cms:doc-2')!;
    const original = bytesAt(at2.path, at2.offset, at2.length);
    const flipped = Buffer.from(original);
    flipped[flipped.length - 3]! ^= 0x01;
    overwrite(at2.path, at2.offset, flipped);
    expect(await store.read('mcx-a', 'cms:doc-2')).toEqual({ ok: false, reason: 'tampered' });
    // doc-3's payload written where doc-2's is (same length: same body): it opens only as doc-3.
    const at3 = store.locate('mcx-a', 'cms:doc-3')!;
    expect(at3.length).toBe(at2.length);
    overwrite(at2.path, at2.offset, bytesAt(at3.path, at3.offset, at3.length));
    expect(await store.read('mcx-a', 'cms:doc-2')).toEqual({ ok: false, reason: 'tampered' });
    expect((await store.read('mcx-a', 'cms:doc-3')).ok).toBe(true);
    expect(await store.read('mcx-a', 'cms:absent')).toEqual({ ok: false, reason: 'missing' });
  });

  it("another UE's key cannot open the copy", async () => {
    await store.write(copy('cms:doc-4'));
    const bob = new ProtectedStore(secret, log, 'ue-bob');
    await bob.write(copy('cms:doc-4'));
    const alice4 = store.locate('mcx-a', 'cms:doc-4')!;
    const bob4 = bob.locate('mcx-a', 'cms:doc-4')!;
    overwrite(bob4.path, bob4.offset, bytesAt(alice4.path, alice4.offset, alice4.length));
    expect(await bob.read('mcx-a', 'cms:doc-4')).toEqual({ ok: false, reason: 'tampered' });
  });

  it('a write does not block: the copy is read back before it is in the log, flush waits for it, a later removal keeps its order', async () => {
    const ue = new ProtectedStore(secret, log, 'ue-carol');
    const written = ue.write(copy('cms:doc-5', '<v1/>'));
    expect(ue.locate('mcx-a', 'cms:doc-5')).toBeUndefined();
    expect(await ue.read('mcx-a', 'cms:doc-5')).toEqual({ ok: true, copy: copy('cms:doc-5', '<v1/>') });
    void ue.write(copy('cms:doc-5', '<v2/>'));
    await ue.flush();
    await written;
    expect(ue.locate('mcx-a', 'cms:doc-5')).toBeDefined();
    expect(await ue.read('mcx-a', 'cms:doc-5')).toEqual({ ok: true, copy: copy('cms:doc-5', '<v2/>') });
    // A log opened again (a restarted host) reads what was flushed.
    const reopened = new CopyLog(dir);
    expect(await new ProtectedStore(secret, reopened, 'ue-carol').read('mcx-a', 'cms:doc-5')).toEqual({ ok: true, copy: copy('cms:doc-5', '<v2/>') });
    await reopened.close();
    void ue.write(copy('cms:doc-5', '<v3/>'));
    void ue.remove('mcx-a', 'cms:doc-5');
    expect(await ue.read('mcx-a', 'cms:doc-5')).toEqual({ ok: false, reason: 'missing' });
    await ue.flush();
    expect(ue.locate('mcx-a', 'cms:doc-5')).toBeUndefined();
    expect(await ue.read('mcx-a', 'cms:doc-5')).toEqual({ ok: false, reason: 'missing' });
  });

  it('destroy removes every copy of the UE and no other; a write after close stores nothing', async () => {
    const ue = new ProtectedStore(secret, log, 'ue-erin');
    await ue.write(copy('cms:a'));
    await ue.write(copy('cms:b'));
    expect(ue.stored).toBe(2);
    const alice = store.stored;
    await ue.destroy();
    expect(ue.stored).toBe(0);
    await ue.write(copy('cms:c'));
    expect(ue.stored).toBe(0);
    expect(store.stored).toBe(alice);
    const reopened = new CopyLog(dir);
    expect(new ProtectedStore(secret, reopened, 'ue-erin').stored).toBe(0);
    await reopened.close();
  });

  it('flush rejects with a write that failed (once); the copy is then missing', async () => {
    const failing = new CopyLog(mkdtempSync(join(tmpdir(), 'mcx-at-rest-closed-')));
    await failing.close(); // a closed log refuses every write
    const ue = new ProtectedStore(secret, failing, 'ue-dave');
    void ue.write(copy('cms:doc-6')).catch(() => undefined);
    await expect(ue.flush()).rejects.toThrow(/closed/);
    await ue.flush();
    expect(await ue.read('mcx-a', 'cms:doc-6')).toEqual({ ok: false, reason: 'missing' });
  });
});
