/**
 * Fuzz: random bodies and mutations of the real fixtures, sent to the real server. Every answer is JSON with
 * HTTP 200 (a review echoing the uid) or 400 (an error); the in-process server survives and no promise
 * rejection goes unhandled. Run counts and time are bounded.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import https from 'node:https';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { admit } from '../../webhook/admission.js';
import { parseAdmissionReview, ReviewParseError } from '../../webhook/review.js';
import { defaultConfig } from '../../policies/config/types.js';
import { FIXTURES, fixture, request, startTestServer, type TestServer } from './helpers.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const FIXTURE_NAMES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const fixtures = FIXTURE_NAMES.map((n) => fixture(n) as Json);

/** Every path to a node of `v` (the root included). */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((c, i) => paths(c, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) paths(c, [...prefix, k], out);
  return out;
}

type Mutation = { at: number; op: 'delete' | 'replace' | 'wrap' | 'empty' | 'stringify'; value: Json };

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'wrap', 'empty', 'stringify'),
  value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
});

function mutate(doc: Json, muts: Mutation[]): Json {
  const root = structuredClone(doc);
  let current: Json = root;
  for (const m of muts) {
    const all = paths(current);
    const p = all[m.at % all.length] as (string | number)[];
    if (p.length === 0) {
      current = m.op === 'replace' ? m.value : current;
      continue;
    }
    let parent: Json = current;
    for (const seg of p.slice(0, -1)) parent = (parent as Record<string, Json>)[seg as string] as Json;
    const key = p[p.length - 1] as string | number;
    const obj = parent as Record<string | number, Json>;
    const old = obj[key] as Json;
    switch (m.op) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete obj[key];
        break;
      case 'replace':
        obj[key] = m.value;
        break;
      case 'wrap':
        obj[key] = [old, m.value];
        break;
      case 'empty':
        obj[key] = Array.isArray(old) ? [] : typeof old === 'object' && old !== null ? {} : '';
        break;
      case 'stringify':
        obj[key] = JSON.stringify(old) ?? null;
        break;
    }
  }
  return current;
}

const bodyArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.nat({ max: fixtures.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 6 }))
      .map(([i, muts]) => JSON.stringify(mutate(fixtures[i] as Json, muts))),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    // A well-formed envelope around a random object: reaches the loader and the engine.
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          ['', 'v1', 'Pod'],
          ['apps', 'v1', 'Deployment'],
          ['apps', 'v1', 'StatefulSet'],
          ['batch', 'v1', 'CronJob'],
          ['', 'v1', 'PersistentVolumeClaim'],
        ),
        fc.constantFrom('CREATE', 'UPDATE', 'DELETE'),
        fc.jsonValue({ maxDepth: 5 }),
      )
      .map(([[group, version, kind], operation, object]) =>
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: {
            uid: 'fuzz',
            kind: { group, version, kind },
            operation,
            namespace: 'fz',
            object,
            oldObject: object,
          },
        }),
      ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.nat({ max: 2000 }).map((n) => '['.repeat(n) + ']'.repeat(n % 7)) },
);

describe('fuzzing /validate', () => {
  let t: TestServer;
  let agent: https.Agent;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    t = await startTestServer({ mode: 'enforce' });
    agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    agent.destroy();
    await t.stop();
  });

  test('thousands of random and mutated bodies: always JSON with 200 or 400, the server stays up', async () => {
    let answered = 0;
    const seen = { 200: 0, 400: 0 };
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        const r = await request({ port: t.server.port, ca: t.ca, body, agent });
        answered++;
        expect([200, 400]).toContain(r.status);
        expect(r.json).toBeDefined();
        if (r.status === 200) {
          seen[200]++;
          const review = r.json as {
            apiVersion: string;
            response: { uid: unknown; allowed: unknown; warnings?: unknown };
          };
          expect(review.apiVersion).toBe('admission.k8s.io/v1');
          expect(typeof review.response.uid).toBe('string');
          expect((JSON.parse(body) as { request: { uid: unknown } }).request.uid).toBe(review.response.uid);
          expect(typeof review.response.allowed).toBe('boolean');
        } else {
          seen[400]++;
          expect(typeof (r.json as { error: unknown }).error).toBe('string');
        }
      }),
      { numRuns: 2500, interruptAfterTimeLimit: 40_000, seed: 20261122 },
    );
    expect(answered).toBeGreaterThan(1000);
    // Both paths were exercised, not just the 400 one.
    expect(seen[200]).toBeGreaterThan(200);
    expect(seen[400]).toBeGreaterThan(200);
    const health = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    expect(unhandled).toEqual([]);
    // admit() handles every input itself: the server's last-resort catch never fired.
    expect(t.logs.lines.filter((l) => l.msg === 'admission internal error')).toEqual([]);
  }, 90_000);
});

describe('fuzzing admit() directly', () => {
  test('never throws, always echoes the uid, and a denial always carries a bounded message', () => {
    const config = defaultConfig();
    fc.assert(
      fc.property(bodyArb, fc.constantFrom('enforce', 'audit') as fc.Arbitrary<'enforce' | 'audit'>, (body, mode) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return;
        }
        let req;
        try {
          req = parseAdmissionReview(parsed);
        } catch (err) {
          expect(err).toBeInstanceOf(ReviewParseError);
          return;
        }
        const d = admit(req, { config, mode });
        expect(d.response.uid).toBe(req.uid);
        if (!d.response.allowed) {
          expect(mode === 'enforce' || d.reason === 'cache-miss' || d.reason === 'unreadable').toBe(true);
          expect(Buffer.byteLength(d.response.status?.message ?? '')).toBeLessThanOrEqual(4096);
        }
        for (const w of d.response.warnings ?? []) expect(w.length).toBeLessThanOrEqual(256);
      }),
      { numRuns: 5000, interruptAfterTimeLimit: 30_000, seed: 4242 },
    );
  }, 60_000);
});
