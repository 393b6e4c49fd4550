/**
 * POST /validate has two ways in: a plain body with a Content-Length (what the API server sends) is read without
 * express, anything else (chunked, compressed, over the limit) through express. Both must answer byte for byte the
 * same, log the same decision and count the same metrics.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import { fixture, request, startTestServer, type HttpResult, type TestServer } from './helpers.js';

/** The answer without what differs between two requests anyway (the Date header). */
function comparable(r: HttpResult) {
  const { date: _date, ...headers } = r.headers;
  return { status: r.status, headers, text: r.text };
}

async function metricsText(t: TestServer): Promise<string> {
  return (await request({ method: 'GET', path: '/metrics', port: t.server.port, ca: t.ca })).text;
}

describe('POST /validate with and without express', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => t.stop());

  const bodies: [string, () => string][] = [
    ['a denied Deployment', () => JSON.stringify(fixture('deployment-postgres-emptydir.json'))],
    ['an allowed StatefulSet', () => JSON.stringify(fixture('statefulset-mysql-claim-templates.json'))],
    ['a PVC deletion', () => JSON.stringify(fixture('pvc-delete-protected.json'))],
    ['a body that is not JSON', () => '{"apiVersion":'],
    ['an empty body', () => ''],
  ];

  test.each(bodies)('%s: the same answer with Content-Length, chunked, gzip and ?timeout', async (_name, body) => {
    const port = t.server.port;
    const ca = t.ca;
    const plain = await request({ port, ca, body: body() });
    const variants = await Promise.all([
      request({ port, ca, body: body(), chunked: true }),
      request({ port, ca, body: gzipSync(body()), headers: { 'content-encoding': 'gzip' } }),
      request({ port, ca, body: body(), path: '/validate?timeout=10s' }),
    ]);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers['content-length']).toBe(String(Buffer.byteLength(plain.text)));
    for (const v of variants) expect(comparable(v)).toEqual(comparable(plain));
  });

  test('the decision log line is the same both ways', async () => {
    const review = fixture('deployment-postgres-emptydir.json');
    const withUid = (uid: string) => JSON.stringify({ ...review, request: { ...(review.request as object), uid } });
    await request({ port: t.server.port, ca: t.ca, body: withUid('plain-1') });
    await request({ port: t.server.port, ca: t.ca, body: withUid('chunked-1'), chunked: true });
    const line = (uid: string) => {
      const found = t.logs.lines.find((l) => l.uid === uid);
      expect(found).toBeDefined();
      const { time: _time, latencyMs, uid: _uid, ...rest } = found as Record<string, unknown>;
      expect(typeof latencyMs).toBe('number');
      return { keys: Object.keys(found as object), rest };
    };
    await new Promise((resolve) => setImmediate(resolve));
    expect(line('plain-1')).toEqual(line('chunked-1'));
  });

  test('a declared Content-Length over the limit: 400 too-large, through express as before', async () => {
    const big = JSON.stringify({ ...fixture('pvc-delete-unprotected.json'), padding: 'x'.repeat(70 * 1024) });
    const r = await request({ port: t.server.port, ca: t.ca, body: big });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: 'request body exceeds 65536 bytes' });
  });

  test.each([['a Content-Length'], ['chunked']])(
    'a client that goes away mid-body (%s) is counted as aborted, and the server keeps serving',
    async (framing) => {
      const body = JSON.stringify(fixture('deployment-postgres-emptydir.json'));
      const before = /persistguard_bad_requests_total\{reason="aborted"\} (\d+)/.exec(await metricsText(t));
      const req = https.request({
        host: '127.0.0.1',
        port: t.server.port,
        servername: 'localhost',
        method: 'POST',
        path: '/validate',
        ca: t.ca,
        agent: false,
        headers: {
          'content-type': 'application/json',
          ...(framing === 'chunked' ? {} : { 'content-length': Buffer.byteLength(body) }),
        },
      });
      req.on('error', () => undefined);
      await new Promise<void>((resolve) => req.write(body.slice(0, 100), () => resolve()));
      const counted = Number(before?.[1] ?? 0) + 1;
      req.destroy();
      for (;;) {
        const m = /persistguard_bad_requests_total\{reason="aborted"\} (\d+)/.exec(await metricsText(t));
        if (Number(m?.[1] ?? 0) >= counted) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const r = await request({ port: t.server.port, ca: t.ca, body });
      expect(r.status).toBe(200);
    },
  );
});
