import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS } from '../../test/fixtures/resource-lists-usage.ts';

let srv: RunningXcapServer;
const DOC = 'resource-lists/users/sip:alice@example.com/index';
const RL = 'application/resource-lists+xml';

async function req(method: string, path: string, init: { body?: string | Buffer; type?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.type) headers['content-type'] = init.type;
  const res = await fetch(`${srv.root}/${path}`, { method, headers, body: init.body ?? null });
  return { status: res.status, etag: res.headers.get('etag'), type: res.headers.get('content-type'), body: await res.text() };
}

async function fresh(body = SAMPLE_LISTS) {
  await req('DELETE', DOC);
  const r = await req('PUT', DOC, { body, type: RL });
  expect(r.status).toBe(201);
  return r.etag!;
}

beforeAll(async () => {
  srv = await startXcapServer();
});
afterAll(async () => {
  await srv.close();
});

describe('documents (RFC 4825 clauses 7.1-7.3)', () => {
  it('creates with 201, replaces with 200, fetches with the usage MIME type and the ETag', async () => {
    const etag = await fresh();
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const got = await req('GET', DOC);
    expect(got).toMatchObject({ status: 200, etag, type: RL, body: SAMPLE_LISTS });
    const replaced = await req('PUT', DOC, { body: SAMPLE_LISTS.replace('joe', 'jim'), type: RL });
    expect(replaced.status).toBe(200);
    expect(replaced.etag).not.toBe(etag);
    expect((await srv.store.get(DOC))?.version).toBeGreaterThanOrEqual(2);
  });

  it('answers 404 for a missing document and an unknown AUID, 400 for bad URIs', async () => {
    expect((await req('GET', 'resource-lists/users/sip:nobody@example.com/index')).status).toBe(404);
    expect((await req('GET', 'unknown-auid/global/index')).status).toBe(404);
    expect((await req('GET', 'resource-lists/elsewhere/x')).status).toBe(400);
    expect((await req('GET', 'resource-lists/users/sip:a@b')).status).toBe(400);
    expect((await req('GET', `${DOC}/~~/resource-lists/list[`)).status).toBe(400);
    expect((await req('GET', `${DOC}/~~/p:resource-lists`)).status).toBe(400);
    expect((await req('GET', 'resource-lists/users/%E0%A4%A/index')).status).toBe(400);
  });

  it('refuses a wrong Content-Type with 415 and an oversized body with 413', async () => {
    await fresh();
    expect((await req('PUT', DOC, { body: SAMPLE_LISTS, type: 'application/xml' })).status).toBe(415);
    expect((await req('PUT', `${DOC}/~~/resource-lists/list[1]`, { body: '<list/>', type: RL })).status).toBe(415);
    expect((await req('PUT', DOC, { body: Buffer.alloc(2 * 1024 * 1024, 0x20), type: RL })).status).toBe(413);
  });

  it('refuses malformed XML, DOCTYPEs and non-UTF-8 with 409 xcap-error documents, changing nothing', async () => {
    const etag = await fresh();
    const cases: [string | Buffer, string][] = [
      ['<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">', 'not-well-formed'],
      ['<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">&x;</resource-lists>', 'not-well-formed'],
      [Buffer.from([0x3c, 0x61, 0xff, 0x3e]), 'not-utf-8'],
      ['<?xml version="1.0" encoding="ISO-8859-1"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"/>', 'not-utf-8'],
      ['<other xmlns="urn:x"/>', 'schema-validation-error'],
    ];
    for (const [body, tag] of cases) {
      const r = await req('PUT', DOC, { body, type: RL });
      expect(r.status, tag).toBe(409);
      expect(r.type).toBe('application/xcap-error+xml');
      expect(r.body).toContain(`<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><${tag}`);
    }
    expect((await req('GET', DOC)).etag).toBe(etag);
  });

  it('reports uniqueness-failure with <exists field> and alternate values', async () => {
    await fresh();
    const r = await req('PUT', `${DOC}/~~/resource-lists/list[@name="friends"]/entry[3]`, {
      body: '<entry uri="sip:joe@example.com"/>',
      type: 'application/xcap-el+xml',
    });
    expect(r.status).toBe(409);
    expect(r.body).toContain('<uniqueness-failure><exists field="resource-lists/list[@name=&quot;friends&quot;]/entry/@uri"><alt-value>sip:joe@example.com;2</alt-value></exists></uniqueness-failure>');
  });
});

describe('elements (RFC 4825 clauses 7.4-7.6, 8.2)', () => {
  it('fetches an element as it appears, without added namespace declarations', async () => {
    await fresh();
    const r = await req('GET', `${DOC}/~~/resource-lists/list[@name="work"]/entry`);
    expect(r).toMatchObject({ status: 200, type: 'application/xcap-el+xml', body: '<entry uri="sip:boss@example.com" x:prio="1"/>' });
    const byPos = await req('GET', `${DOC}/~~/resource-lists/list[1]/entry[2]/@uri`);
    expect(byPos).toMatchObject({ status: 200, type: 'application/xcap-att+xml', body: 'sip:joe@example.com' });
    const ns = await req('GET', `${DOC}/~~/resource-lists/list[2]/entry/namespace::*`);
    expect(ns.type).toBe('application/xcap-ns+xml');
    expect(ns.body).toBe('<entry xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:x="urn:example:ext"/>');
    const prefixed = await req('GET', `${DOC}/~~/rl:resource-lists/rl:list[2]/rl:entry/@e:prio?xmlns(rl=urn:ietf:params:xml:ns:resource-lists)xmlns(e=urn:example:ext)`);
    expect(prefixed).toMatchObject({ status: 200, body: '1' });
    expect((await req('GET', `${DOC}/~~/resource-lists/list/entry`)).status).toBe(404); // selects several
  });

  it('creates (201) after the last sibling of the same name and replaces (200)', async () => {
    const e0 = await fresh();
    const put = await req('PUT', `${DOC}/~~/resource-lists/list[@name="friends"]/entry[@uri="sip:ann@example.com"]`, {
      body: '<entry uri="sip:ann@example.com"><display-name>Ann</display-name></entry>',
      type: 'application/xcap-el+xml',
    });
    expect(put.status).toBe(201);
    expect(put.etag).not.toBe(e0);
    expect((await req('GET', `${DOC}/~~/resource-lists/list[1]/entry[3]/@uri`)).body).toBe('sip:ann@example.com');
    const rep = await req('PUT', `${DOC}/~~/resource-lists/list[1]/entry[3]`, { body: '<entry uri="sip:ann@example.com"/>', type: 'application/xcap-el+xml' });
    expect(rep.status).toBe(200);
    expect((await req('GET', `${DOC}/~~/resource-lists/list[1]/entry[3]`)).body).toBe('<entry uri="sip:ann@example.com"/>');
    const first = await req('PUT', `${DOC}/~~/resource-lists/list[1]/entry[1][@uri="sip:zed@example.com"]`, {
      body: '<entry uri="sip:zed@example.com"/>',
      type: 'application/xcap-el+xml',
    });
    expect(first.status).toBe(201);
    expect((await req('GET', `${DOC}/~~/resource-lists/list[1]/entry[1]/@uri`)).body).toBe('sip:zed@example.com');
    expect(srv.events.at(-1)).toMatchObject({ selector: DOC, previousEtag: rep.etag!.slice(1, -1), newEtag: first.etag!.slice(1, -1) });
  });

  it('refuses no-parent with the closest existing ancestor, cannot-insert and not-xml-frag', async () => {
    const etag = await fresh();
    const np = await req('PUT', `${DOC}/~~/resource-lists/list[@name="nope"]/entry`, { body: '<entry uri="sip:a@b"/>', type: 'application/xcap-el+xml' });
    expect(np.status).toBe(409);
    expect(np.body).toContain(`<no-parent phrase="the parent of the resource does not exist"><ancestor>${srv.root}/${DOC}/~~/resource-lists</ancestor></no-parent>`);
    const ci = await req('PUT', `${DOC}/~~/resource-lists/list[1]/entry[@uri="sip:x@y"]`, { body: '<entry uri="sip:other@y"/>', type: 'application/xcap-el+xml' });
    expect(ci.body).toContain('<cannot-insert');
    const far = await req('PUT', `${DOC}/~~/resource-lists/list[1]/entry[9]`, { body: '<entry uri="sip:far@y"/>', type: 'application/xcap-el+xml' });
    expect(far.body).toContain('<cannot-insert');
    for (const body of ['<entry uri="a"/><entry uri="b"/>', 'text', '<entry uri="a">']) {
      const r = await req('PUT', `${DOC}/~~/resource-lists/list[1]/entry[@uri="a"]`, { body, type: 'application/xcap-el+xml' });
      expect(r.body, body).toContain('<not-xml-frag');
    }
    expect((await req('GET', DOC)).etag).toBe(etag);
  });

  it('deletes an element (200 with the new ETag) and refuses a non-idempotent delete (cannot-delete)', async () => {
    await fresh();
    const cd = await req('DELETE', `${DOC}/~~/resource-lists/list[1]/entry[1]`);
    expect(cd.status).toBe(409);
    expect(cd.body).toContain('<cannot-delete');
    const del = await req('DELETE', `${DOC}/~~/resource-lists/list[1]/entry[@uri="sip:bill@example.com"]`);
    expect(del.status).toBe(200);
    expect(del.etag).toBeTruthy();
    expect((await req('GET', `${DOC}/~~/resource-lists/list[1]/entry[@uri="sip:bill@example.com"]`)).status).toBe(404);
    expect((await req('DELETE', `${DOC}/~~/resource-lists/list[1]/entry[@uri="sip:bill@example.com"]`)).status).toBe(404);
  });
});

describe('attributes (RFC 4825 clauses 7.7-7.9)', () => {
  it('creates, replaces and deletes attributes; refuses bad values and selector breakage', async () => {
    await fresh();
    const att = 'application/xcap-att+xml';
    expect((await req('PUT', `${DOC}/~~/resource-lists/list[2]/@name`, { body: 'office &amp; lab', type: att })).status).toBe(200);
    expect((await req('GET', `${DOC}/~~/resource-lists/list[2]/@name`)).body).toBe('office &amp; lab');
    expect((await req('PUT', `${DOC}/~~/resource-lists/list[2]/entry/@e:note?xmlns(e=urn:example:ext)`, { body: 'hi', type: att })).status).toBe(201);
    expect((await req('GET', `${DOC}/~~/resource-lists/list[2]/entry`)).body).toBe('<entry uri="sip:boss@example.com" x:prio="1" x:note="hi"/>');
    expect((await req('PUT', `${DOC}/~~/resource-lists/list[2]/@name`, { body: 'a<b', type: att })).body).toContain('<not-xml-att-value');
    expect((await req('PUT', `${DOC}/~~/resource-lists/list[@name="friends"]/@name`, { body: 'other', type: att })).body).toContain('<cannot-insert');
    expect((await req('PUT', `${DOC}/~~/resource-lists/list[7]/@name`, { body: 'x', type: att })).body).toContain('<no-parent');
    expect((await req('DELETE', `${DOC}/~~/resource-lists/list[2]/entry/@x:prio?xmlns(x=urn:example:ext)`)).status).toBe(200);
    expect((await req('DELETE', `${DOC}/~~/resource-lists/list[2]/entry/@x:prio?xmlns(x=urn:example:ext)`)).status).toBe(404);
    expect((await req('PUT', `${DOC}/~~/resource-lists/list[2]/namespace::*`, { body: 'x', type: att })).status).toBe(405);
  });
});
