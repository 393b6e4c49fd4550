/**
 * The real webhook over real HTTPS (certificates from `persistguard certs`' generator) answering captured-style
 * AdmissionReview v1 requests end to end: the decision on the wire, its log line and its metrics. The policy
 * table itself (every kind, flag and mode) runs on the pure admit() in admission.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { InformerStatus } from '../../webhook/cluster/types.js';
import { BrokenViewTestDouble, SyncingViewTestDouble } from './view-doubles.js';
import { fixture, request, startTestServer, validate, type TestServer } from './helpers.js';

function decisionLog(t: TestServer, uid: string): Record<string, unknown> {
  const line = t.logs.lines.find((l) => l.msg === 'admission decision' && l.uid === uid);
  if (!line) throw new Error(`no decision log line for ${uid}`);
  return line;
}

function uidOf(review: Record<string, unknown>): string {
  return (review.request as { uid: string }).uid;
}

describe('enforce mode', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ mode: 'enforce' });
  });
  afterAll(async () => t.stop());

  test('a Deployment keeping postgres data on an emptyDir is denied with a 403 listing the finding', async () => {
    const review = fixture('deployment-postgres-emptydir.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.apiVersion).toBe('admission.k8s.io/v1');
    expect(r.kind).toBe('AdmissionReview');
    expect(r.response.uid).toBe(uidOf(review));
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.code).toBe(403);
    expect(r.response.status?.reason).toBe('Forbidden');
    const msg = r.response.status?.message ?? '';
    expect(msg).toContain('Deployment shop/postgres');
    expect(msg).toContain('[data-path-pvc]');
    expect(msg).toContain('"postgres"');
    expect(msg).toContain('/var/lib/postgresql/data');
    expect(msg).toMatch(/at spec\.template\.spec\./);
    expect(msg).toContain('Fix: ');
    expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(4096);

    const log = decisionLog(t, uidOf(review));
    expect(log).toMatchObject({
      level: 'warn',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'postgres',
      operation: 'CREATE',
      verdict: 'deny',
      allowed: false,
      dryRun: false,
    });
    expect(log.rules).toEqual(['data-path-pvc']);
    expect(typeof log.latencyMs).toBe('number');
    expect(typeof log.time).toBe('string');
    // Never the object: no env, no secret references, no image.
    expect(JSON.stringify(log)).not.toMatch(/secretKeyRef|POSTGRES_PASSWORD|postgres:16/);
  });

  test('a dry-run StatefulSet on emptyDir gets the real verdict and the log says dryRun', async () => {
    const review = fixture('statefulset-mysql-emptydir-dryrun.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.message).toContain('/var/lib/mysql');
    expect(decisionLog(t, uidOf(review)).dryRun).toBe(true);
  });

  test('a Pod owned by a ReplicaSet is not judged twice: allowed, logged as owned', async () => {
    const review = fixture('pod-owned-by-replicaset.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response).toEqual({ uid: uidOf(review), allowed: true });
    expect(decisionLog(t, uidOf(review))).toMatchObject({
      reason: 'owned',
      verdict: 'allow',
      user: 'system:serviceaccount:kube-system:replicaset-controller',
    });
  });

  test('deleting a protected claim is denied with the exact commands to confirm', async () => {
    const review = fixture('pvc-delete-protected.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.code).toBe(403);
    const msg = r.response.status?.message ?? '';
    expect(msg).toContain('PersistentVolumeClaim finance/ledger-db');
    expect(msg).toContain('persistguard.io/protected=true');
    expect(msg).toContain('kubectl annotate pvc ledger-db -n finance persistguard.io/confirm-delete=ledger-db');
    expect(msg).toContain('kubectl delete pvc ledger-db -n finance');
    expect(decisionLog(t, uidOf(review))).toMatchObject({
      kind: 'PersistentVolumeClaim',
      operation: 'DELETE',
      verdict: 'deny',
      reason: 'pvc-guard',
    });
  });

  test('metrics count requests by kind and verdict, and findings by rule', async () => {
    const r = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/metrics' });
    expect(r.status).toBe(200);
    expect(r.text).toMatch(
      /persistguard_admission_requests_total\{kind="Deployment",operation="CREATE",verdict="deny",reason="evaluated"\} [1-9]/,
    );
    expect(r.text).toMatch(
      /persistguard_admission_requests_total\{kind="PersistentVolumeClaim",operation="DELETE",verdict="deny",reason="pvc-guard"\} 1/,
    );
    expect(r.text).toMatch(/persistguard_findings_total\{rule="data-path-pvc",severity="error"\} [1-9]/);
    expect(r.text).toMatch(
      /persistguard_admission_duration_seconds_bucket\{le="0.005",kind="Deployment",verdict="deny"\}/,
    );
    expect(r.text).toMatch(/persistguard_tls_certificate_expiry_timestamp_seconds \d+/);
  });

  test('healthz answers and readyz is ready without a cluster', async () => {
    const h = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/healthz' });
    expect(h.status).toBe(200);
    const r = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/readyz' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ready: true, cluster: { ok: true, mode: 'none' }, certificate: { ok: true } });
  });
});

describe('audit mode', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ mode: 'audit' });
  });
  afterAll(async () => t.stop());

  test('what enforce denies comes back allowed, as warnings saying it would deny', async () => {
    const review = fixture('deployment-postgres-emptydir.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(true);
    expect(r.response.status).toBeUndefined();
    const w = r.response.warnings ?? [];
    expect(
      w.some(
        (x) =>
          x.startsWith('persistguard (audit, would deny): [data-path-pvc]') && x.includes('/var/lib/postgresql/data'),
      ),
    ).toBe(true);
    expect(decisionLog(t, uidOf(review))).toMatchObject({ verdict: 'warn', rules: ['data-path-pvc'] });
  });
});

/** The syncing view test double (no API server here), with the informer status /readyz reports. */
class ControlledViewTestDouble extends SyncingViewTestDouble {
  status(): InformerStatus[] {
    return [
      { resource: 'persistentvolumeclaims', synced: this.isReady, restarts: 0, objects: 3, lastSyncAgeSeconds: 2 },
      {
        resource: 'nodes',
        synced: this.isReady,
        restarts: 1,
        objects: 0,
        lastError: this.isReady ? undefined : 'connection refused',
      },
    ];
  }
}

describe('cluster caches not synced (test double view)', () => {
  test('readyz is 503 with what is not ready, and turns 200 once synced', async () => {
    const view = new ControlledViewTestDouble();
    const t = await startTestServer({ view });
    try {
      const r = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/readyz' });
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({
        ready: false,
        notReady: ['cluster caches are not synced'],
        cluster: { ok: false, mode: 'cluster' },
      });
      expect(JSON.stringify(r.json)).toContain('connection refused');
      const m = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/metrics' });
      expect(m.text).toContain('persistguard_informer_synced{resource="nodes"} 0');
      expect(m.text).toContain('persistguard_informer_last_sync_age_seconds{resource="persistentvolumeclaims"} 2');
      view.isReady = true;
      const r2 = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/readyz' });
      expect(r2.status).toBe(200);
      const m2 = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/metrics' });
      expect(m2.text).toContain('persistguard_informer_synced{resource="nodes"} 1');
    } finally {
      await t.stop();
    }
  });

  test('audit mode never denies, even with --on-cache-miss deny and --on-error deny', async () => {
    const t = await startTestServer({
      mode: 'audit',
      view: new ControlledViewTestDouble(),
      onCacheMiss: 'deny',
      onError: 'deny',
    });
    try {
      const r = await validate(t.server.port, t.ca, fixture('deployment-postgres-emptydir.json'));
      expect(r.response.allowed).toBe(true);
      expect(r.response.warnings?.[0]).toContain('cluster caches are still syncing');
      expect(r.response.warnings?.some((w) => w.includes('would deny'))).toBe(true);
      const review = fixture('deployment-postgres-emptydir.json');
      (review.request as Record<string, unknown>).object = 42;
      const u = await validate(t.server.port, t.ca, review);
      expect(u.response.allowed).toBe(true);
      expect(u.response.warnings?.[0]).toMatch(/could not read/);
    } finally {
      await t.stop();
    }
  });
});

describe('persistguard itself fails (broken cluster view test double)', () => {
  test('a bug behind admit() (the view throws) is answered by the core: audit allows even with --on-error deny', async () => {
    const t = await startTestServer({ mode: 'audit', onError: 'deny', view: new BrokenViewTestDouble('ready') });
    try {
      const review = fixture('deployment-postgres-emptydir.json');
      const r = await validate(t.server.port, t.ca, review);
      expect(r.response.allowed).toBe(true);
      expect(r.response.status).toBeUndefined();
      expect(r.response.warnings?.[0]).toMatch(/^persistguard internal error: .*audit mode/);
      expect(decisionLog(t, uidOf(review))).toMatchObject({ verdict: 'warn', allowed: true, reason: 'unreadable' });
      const internal = t.logs.lines.find((l) => l.msg === 'admission internal error');
      expect(internal).toMatchObject({ level: 'error', uid: uidOf(review) });
      expect(String(internal?.stack)).toContain('TypeError');
    } finally {
      await t.stop();
    }
  });

  test('the same bug in enforce mode with --on-error deny is refused as a 500 InternalError', async () => {
    const t = await startTestServer({ mode: 'enforce', onError: 'deny', view: new BrokenViewTestDouble('ready') });
    try {
      const r = await validate(t.server.port, t.ca, fixture('deployment-postgres-emptydir.json'));
      expect(r.httpStatus).toBe(200);
      expect(r.response.allowed).toBe(false);
      expect(r.response.status).toMatchObject({ code: 500, reason: 'InternalError' });
      const m = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/metrics' });
      expect(m.text).toMatch(/persistguard_admission_requests_total\{[^}]*verdict="deny",reason="unreadable"\} 1/);
    } finally {
      await t.stop();
    }
  });
});
