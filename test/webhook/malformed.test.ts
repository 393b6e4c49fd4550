/** Requests that are not AdmissionReview v1: HTTP 400 with a JSON error, and the server keeps serving. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { fixture, request, startTestServer, validate, type TestServer } from './helpers.js';

describe('malformed requests', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => t.stop());

  const good = () => fixture('pvc-delete-unprotected.json');
  const cases: [string, () => string | Buffer, RegExp][] = [
    ['an empty body', () => '', /empty request body/],
    ['text that is not JSON', () => 'hello', /not JSON/],
    ['truncated JSON', () => JSON.stringify(good()).slice(0, 100), /not JSON/],
    ['a JSON array', () => '[]', /JSON object/],
    ['a JSON string', () => '"AdmissionReview"', /JSON object/],
    [
      'apiVersion v1beta1',
      () => JSON.stringify({ ...good(), apiVersion: 'admission.k8s.io/v1beta1' }),
      /apiVersion must be "admission.k8s.io\/v1".*admissionReviewVersions/,
    ],
    ['the wrong kind', () => JSON.stringify({ ...good(), kind: 'TokenReview' }), /kind must be "AdmissionReview"/],
    ['no request', () => JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), /no request/],
    [
      'a response instead of a request',
      () =>
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: 'x', allowed: true },
        }),
      /no request/,
    ],
    [
      'a request without uid',
      () => JSON.stringify({ ...good(), request: { ...(good().request as object), uid: undefined } }),
      /uid/,
    ],
    [
      'a request without kind',
      () => JSON.stringify({ ...good(), request: { ...(good().request as object), kind: 'Pod' } }),
      /request\.kind/,
    ],
    [
      'a numeric operation',
      () => JSON.stringify({ ...good(), request: { ...(good().request as object), operation: 7 } }),
      /operation/,
    ],
    ['invalid UTF-8 bytes', () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not JSON/],
    [
      'a body over the size limit',
      () => JSON.stringify({ ...good(), padding: 'x'.repeat(70 * 1024) }),
      /exceeds 65536 bytes/,
    ],
  ];

  test.each(cases)('%s → 400 with a JSON error', async (_name, body, expected) => {
    const r = await request({ port: t.server.port, ca: t.ca, body: body() });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const json = r.json as { error?: unknown };
    expect(typeof json.error).toBe('string');
    expect(json.error).toMatch(expected);
  });

  test('a wrong content type is still read as JSON (the API server always sends JSON)', async () => {
    const r = await request({
      port: t.server.port,
      ca: t.ca,
      body: JSON.stringify(good()),
      headers: { 'content-type': 'text/plain' },
    });
    expect(r.status).toBe(200);
  });

  test('unknown paths are 404 JSON; the server still answers real reviews afterwards', async () => {
    const r = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/nope' });
    expect(r.status).toBe(404);
    expect((r.json as { error: string }).error).toContain('/validate');
    const ok = await validate(t.server.port, t.ca, good());
    expect(ok.response.allowed).toBe(true);
  });

  test('an object nested 8,000 levels deep is answered, not a crash', async () => {
    const review = good();
    const req = review.request as Record<string, unknown>;
    Object.assign(req, {
      uid: 'deep',
      operation: 'CREATE',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    });
    const deep = `${'{"a":'.repeat(8_000)}1${'}'.repeat(8_000)}`;
    const body = JSON.stringify(review).replace(
      '"object":null',
      `"object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":${deep}}`,
    );
    expect(body).toContain('"spec":{"a":{"a":');
    const r = await request({ port: t.server.port, ca: t.ca, body });
    expect(r.status).toBe(200);
    const res = (r.json as { response: { uid: string; allowed: boolean; warnings?: string[] } }).response;
    expect(res.uid).toBe('deep');
    // No pod template in it: nothing to judge.
    expect(res.allowed).toBe(true);
  });

  test('deep nesting in a field the rules do not read cannot smuggle a bad workload past enforce mode', async () => {
    const review = fixture('deployment-postgres-emptydir.json');
    const deep = `${'{"a":'.repeat(8_000)}1${'}'.repeat(8_000)}`;
    const body = JSON.stringify(review).replace('"template":{', `"template":{"x-junk":${deep},`);
    expect(body).toContain('"x-junk":{"a":{"a":');
    const r = await request({ port: t.server.port, ca: t.ca, body });
    expect(r.status).toBe(200);
    const res = (r.json as { response: { allowed: boolean; status?: { code: number; message: string } } }).response;
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(403);
    expect(res.status?.message).toContain('data-path-pvc');
  });

  test('JSON nested deeper than the parser allows is a 400, and the server keeps serving', async () => {
    const r = await request({ port: t.server.port, ca: t.ca, body: `${'['.repeat(30_000)}${']'.repeat(30_000)}` });
    expect(r.status).toBe(400);
    const ok = await validate(t.server.port, t.ca, good());
    expect(ok.response.allowed).toBe(true);
  });

  test('bad requests are counted by reason', async () => {
    const m = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/metrics' });
    expect(m.text).toMatch(/persistguard_bad_requests_total\{reason="not-json"\} [3-9]/);
    expect(m.text).toMatch(/persistguard_bad_requests_total\{reason="too-large"\} 1/);
  });
});
