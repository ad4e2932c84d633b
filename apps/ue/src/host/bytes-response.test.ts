// A Response answering from bytes already read keeps Fetch's body rules (WHATWG Fetch, "Body
// mixin"): one read, a TypeError for a second one, no clone once used, a stream only when asked,
// and the same answers as undici's own Response built from the same bytes.
import { describe, expect, it } from 'vitest';
import { BytesResponse } from './bytes-response.ts';

const bytes = () => Buffer.from('{"a":"é","n":1}', 'utf8');
const init = { status: 200, statusText: 'OK', headers: [['content-type', 'application/json']] as [string, string][] };

describe('BytesResponse', () => {
  it('is a Response with the status and headers given', () => {
    const r = new BytesResponse(bytes(), init);
    expect(r).toBeInstanceOf(Response);
    expect(r.status).toBe(200);
    expect(r.ok).toBe(true);
    expect(r.statusText).toBe('OK');
    expect(r.headers.get('content-type')).toBe('application/json');
  });

  it('answers text, json, arrayBuffer and bytes as a Response built from the same bytes does', async () => {
    type Bytes = { bytes(): Promise<Uint8Array> };
    const reads: Record<string, (r: Response) => Promise<unknown>> = {
      text: (r) => r.text(),
      json: (r) => r.json(),
      arrayBuffer: (r) => r.arrayBuffer(),
      bytes: (r) => (r as Response & Bytes).bytes(),
    };
    for (const [name, read] of Object.entries(reads)) {
      expect(await read(new BytesResponse(bytes(), init)), name).toEqual(await read(new Response(bytes(), init)));
    }
  });

  it('reads once: a second read rejects with a TypeError, bodyUsed turns true, clone throws', async () => {
    const r = new BytesResponse(bytes(), init);
    expect(r.bodyUsed).toBe(false);
    const copy = r.clone();
    expect(await r.text()).toBe('{"a":"é","n":1}');
    expect(r.bodyUsed).toBe(true);
    await expect(r.json()).rejects.toBeInstanceOf(TypeError);
    await expect(r.arrayBuffer()).rejects.toBeInstanceOf(TypeError);
    expect(() => r.clone()).toThrow(TypeError);
    // The clone taken before the read has a body of its own.
    expect(await copy.json()).toEqual({ a: 'é', n: 1 });
  });

  it('does not share its bytes with a caller that changes what arrayBuffer gave', async () => {
    const source = bytes();
    const r = new BytesResponse(source, init);
    new Uint8Array(await r.arrayBuffer()).fill(0);
    expect(source.toString('utf8')).toBe('{"a":"é","n":1}');
  });

  it('makes the body stream on demand; reading the stream uses the body', async () => {
    const r = new BytesResponse(bytes(), init);
    const body = r.body;
    expect(body).toBeInstanceOf(ReadableStream);
    expect(r.body).toBe(body);
    const chunks: Uint8Array[] = [];
    for await (const c of body!) chunks.push(c);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('{"a":"é","n":1}');
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toBeInstanceOf(TypeError);
  });

  it('keeps blob and formData working through the stream', async () => {
    expect(await (await new BytesResponse(bytes(), init).blob()).text()).toBe('{"a":"é","n":1}');
    const form = await new BytesResponse(Buffer.from('a=1&b=x+y'), { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData();
    expect([...form.entries()]).toEqual([
      ['a', '1'],
      ['b', 'x y'],
    ]);
  });

  it('has a null body for a response without one, which reads as empty and never becomes used', async () => {
    const r = new BytesResponse(null, { status: 304 });
    expect(r.body).toBeNull();
    expect(await r.text()).toBe('');
    expect(await r.text()).toBe('');
    expect(r.bodyUsed).toBe(false);
    await expect(new BytesResponse(null, { status: 204 }).json()).rejects.toBeInstanceOf(SyntaxError);
  });
});
