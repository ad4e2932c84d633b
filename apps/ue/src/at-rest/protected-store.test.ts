// At-rest protection of local copies (TS 23.280 10.1.4.1: confidentiality and integrity protected).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHostSecret, ProtectedStore, type StoredCopy } from './protected-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcx-at-rest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const copy = (selector: string, body = '<mcptt-user-profile XUI-URI="sip:alice@a" user-profile-index="1"/>'): StoredCopy => ({
  system: 'mcx-a', selector, etag: 'e1', contentType: 'application/vnd.3gpp.mcptt-user-profile+xml', body,
});

describe('ProtectedStore (AES-256-GCM, per-UE key from HKDF)', () => {
  const secret = loadHostSecret(dir);
  const store = new ProtectedStore(secret, dir, 'ue-alice');

  it('keeps the host secret across starts', () => {
    expect(loadHostSecret(dir).equals(secret)).toBe(true);
    expect(secret).toHaveLength(32);
  });

  it('round-trips a copy and never writes the plaintext to disk', async () => {
    await store.write(copy('cms:doc-1', '<secret-marker/>'));
    expect(await store.read('mcx-a', 'cms:doc-1')).toEqual({ ok: true, copy: copy('cms:doc-1', '<secret-marker/>') });
    const file = store.fileOf('mcx-a', 'cms:doc-1');
    expect(readFileSync(file).toString('latin1')).not.toContain('secret-marker');
    expect(file).not.toContain('doc-1');
  });

  it('detects a modified byte, a truncated file and a file swapped with another document', async () => {
    await store.write(copy('cms:doc-2'));
    await store.write(copy('cms:doc-3'));
    const f2 = store.fileOf('mcx-a', 'cms:doc-2');
    const bytes = readFileSync(f2);
    bytes[bytes.length - 3]! ^= 0x01;
    writeFileSync(f2, bytes);
    expect(await store.read('mcx-a', 'cms:doc-2')).toEqual({ ok: false, reason: 'tampered' });
    writeFileSync(f2, bytes.subarray(0, 20));
    expect(await store.read('mcx-a', 'cms:doc-2')).toEqual({ ok: false, reason: 'tampered' });
    renameSync(store.fileOf('mcx-a', 'cms:doc-3'), f2);
    expect(await store.read('mcx-a', 'cms:doc-2')).toEqual({ ok: false, reason: 'tampered' });
    expect(await store.read('mcx-a', 'cms:absent')).toEqual({ ok: false, reason: 'missing' });
  });

  it("another UE's key cannot open the copy", async () => {
    await store.write(copy('cms:doc-4'));
    const bob = new ProtectedStore(secret, dir, 'ue-bob');
    const file = store.fileOf('mcx-a', 'cms:doc-4');
    mkdirSync(join(dir, 'ues', 'ue-bob'), { recursive: true });
    writeFileSync(bob.fileOf('mcx-a', 'cms:doc-4'), readFileSync(file));
    expect(await bob.read('mcx-a', 'cms:doc-4')).toEqual({ ok: false, reason: 'tampered' });
    expect(readdirSync(join(dir, 'ues'))).toEqual(expect.arrayContaining(['ue-alice', 'ue-bob']));
  });

  it('a write does not block: the copy is read back before it is on disk, flush waits for the disk, a later removal keeps its order', async () => {
    const ue = new ProtectedStore(secret, dir, 'ue-carol');
    const written = ue.write(copy('cms:doc-5', '<v1/>'));
    const file = ue.fileOf('mcx-a', 'cms:doc-5');
    expect(existsSync(file)).toBe(false);
    expect(await ue.read('mcx-a', 'cms:doc-5')).toEqual({ ok: true, copy: copy('cms:doc-5', '<v1/>') });
    void ue.write(copy('cms:doc-5', '<v2/>'));
    await ue.flush();
    await written;
    expect(existsSync(file)).toBe(true);
    expect(await ue.read('mcx-a', 'cms:doc-5')).toEqual({ ok: true, copy: copy('cms:doc-5', '<v2/>') });
    // A store opened later (a restarted host) reads what was flushed.
    expect(await new ProtectedStore(secret, dir, 'ue-carol').read('mcx-a', 'cms:doc-5')).toEqual({ ok: true, copy: copy('cms:doc-5', '<v2/>') });
    void ue.write(copy('cms:doc-5', '<v3/>'));
    void ue.remove('mcx-a', 'cms:doc-5');
    expect(await ue.read('mcx-a', 'cms:doc-5')).toEqual({ ok: false, reason: 'missing' });
    await ue.flush();
    expect(existsSync(file)).toBe(false);
    expect(await ue.read('mcx-a', 'cms:doc-5')).toEqual({ ok: false, reason: 'missing' });
  });

  it('flush rejects with a write that failed (once); the copy is then missing', async () => {
    writeFileSync(join(dir, 'ues', 'ue-dave'), 'a file where the folder should be');
    const ue = new ProtectedStore(secret, dir, 'ue-dave');
    void ue.write(copy('cms:doc-6'));
    await expect(ue.flush()).rejects.toThrow(/EEXIST|ENOTDIR/);
    await ue.flush();
    expect(await ue.read('mcx-a', 'cms:doc-6')).toEqual({ ok: false, reason: 'missing' });
  });
});
