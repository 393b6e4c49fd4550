/**
 * Large bodies screened on worker threads (webhook/screen-pool.ts): the compiled worker gives the event loop's
 * answer, a full queue answers busy instead of holding more memory, a dying worker fails only what it held and is
 * replaced, and the real HTTPS server sends a large body to a worker and a small one not.
 * The worker runs compiled JavaScript: `npm test` builds first; a bare jest run without build/ skips these.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';
import { screenBody } from '../../webhook/screen.js';
import { ScreenPool } from '../../webhook/screen-pool.js';
import { REPO_ROOT, fixture, request, startTestServer } from './helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const workerFile = path.join(REPO_ROOT, 'build/webhook/screen-worker.js');
const describeIfBuilt = existsSync(workerFile) ? describe : describe.skip;
const workerUrl = pathToFileURL(workerFile);

/** A 206 KiB review: 30k data paths in the annotation, over the work budget. */
function largeReview(): Obj {
  const r = fixture('deployment-postgres-emptydir.json') as Obj;
  r.request.object.spec.template.metadata.annotations = {
    'persistguard.io/data-paths': Array.from({ length: 30_000 }, (_, i) => `/d/${i.toString(36)}`).join(','),
  };
  return r;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pg-screen-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describeIfBuilt('ScreenPool with the compiled worker', () => {
  test('a worker answers exactly what screenBody answers on the event loop', async () => {
    const pool = new ScreenPool({ workerUrl, workers: 2 });
    try {
      const bodies = [largeReview(), fixture('deployment-postgres-emptydir.json'), { not: 'a review' }].map((b) =>
        Buffer.from(JSON.stringify(b)),
      );
      const inline = bodies.map((b) => screenBody(new Uint8Array(b)));
      // The pool takes the body's memory over (transfer): hand it copies.
      const offloaded = await Promise.all(bodies.map((b) => pool.screen(Buffer.from(b))));
      expect(offloaded).toEqual(inline);
      expect(pool.pendingBytes).toBe(0);
    } finally {
      await pool.close();
    }
  });

  test('beyond the queued-bytes limit the pool answers busy at once, and takes bodies again once drained', async () => {
    const pool = new ScreenPool({ workerUrl, workers: 1, maxQueuedBytes: 300 * 1024 });
    try {
      const body = Buffer.from(JSON.stringify(largeReview())); // ~206 KiB
      const first = pool.screen(Buffer.from(body));
      await expect(pool.screen(Buffer.from(body))).resolves.toEqual({ busy: true });
      await expect(first).resolves.toHaveProperty('request');
      await expect(pool.screen(Buffer.from(body))).resolves.toHaveProperty('request');
    } finally {
      await pool.close();
    }
  });
});

describe('ScreenPool with a worker that dies', () => {
  test('fails the bodies it held and starts a new worker for the next one', async () => {
    // Exits on its first message, answers its second life's messages: a crash mid-request, then recovery.
    const marker = path.join(tmp, 'died-once');
    const script = path.join(tmp, 'dying-worker.mjs');
    writeFileSync(
      script,
      `import { parentPort } from 'node:worker_threads';
import { existsSync, writeFileSync } from 'node:fs';
parentPort.on('message', (m) => {
  if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); process.exit(3); }
  parentPort.postMessage({ id: m.id, result: { reason: 'empty', error: 'second life' } });
});`,
    );
    const pool = new ScreenPool({ workerUrl: pathToFileURL(script), workers: 1 });
    try {
      await expect(pool.screen(Buffer.from('{}'))).rejects.toThrow(/exited with code 3/);
      expect(pool.pendingBytes).toBe(0);
      await expect(pool.screen(Buffer.from('{}'))).resolves.toEqual({ reason: 'empty', error: 'second life' });
    } finally {
      await pool.close();
    }
  });
});

describeIfBuilt('the HTTPS server with the screening pool', () => {
  test('a large body is judged on a worker, a small one on the event loop, with the same policy', async () => {
    const t = await startTestServer({ screenWorkerUrl: workerUrl, screenWorkers: 1 });
    try {
      const large = await request({ port: t.server.port, ca: t.ca, body: JSON.stringify(largeReview()) });
      const small = await request({
        port: t.server.port,
        ca: t.ca,
        body: JSON.stringify(fixture('deployment-postgres-emptydir.json')),
      });
      expect(large.status).toBe(200);
      expect((large.json as Obj).response).toMatchObject({ allowed: false, status: { code: 403 } });
      expect((large.json as Obj).response.status.message).toMatch(/work budget: 30,000 entries/);
      expect((small.json as Obj).response).toMatchObject({ allowed: false });
      expect(t.logs.lines.find((l) => l.msg === 'webhook listening')).toMatchObject({
        screening: expect.stringMatching(/from 65536 bytes on worker threads/),
      });
      const decisions = t.logs.lines.filter((l) => l.msg === 'admission decision');
      expect(decisions.map((d) => [d.reason, d.offloaded])).toEqual([
        ['over-budget', true],
        ['evaluated', undefined],
      ]);
    } finally {
      await t.stop();
    }
  });

  test('a large body beyond the queue limit: 429 with Retry-After, counted; small bodies are still judged', async () => {
    // A limit below one large body: every large body finds the queue full, whatever the timing.
    const t = await startTestServer({ screenWorkerUrl: workerUrl, screenWorkers: 1, screenQueueBytes: 100 * 1024 });
    try {
      const busy = await request({ port: t.server.port, ca: t.ca, body: JSON.stringify(largeReview()) });
      expect(busy.status).toBe(429);
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.json).toEqual({ error: expect.stringMatching(/waiting to be screened/) });
      const small = await request({
        port: t.server.port,
        ca: t.ca,
        body: JSON.stringify(fixture('deployment-postgres-emptydir.json')),
      });
      expect(small.status).toBe(200);
      const metrics = await request({ method: 'GET', path: '/metrics', port: t.server.port, ca: t.ca });
      expect(metrics.text).toMatch(/persistguard_bad_requests_total\{reason="busy"\} 1/);
    } finally {
      await t.stop();
    }
  });

  test('a body that is not JSON is still a 400 naming the problem when a worker read it', async () => {
    const t = await startTestServer({ screenWorkerUrl: workerUrl, screenWorkers: 1 });
    try {
      const res = await request({ port: t.server.port, ca: t.ca, body: `{"x": "${'a'.repeat(100_000)}"` });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: expect.stringMatching(/^request body is not JSON/) });
    } finally {
      await t.stop();
    }
  });
});
