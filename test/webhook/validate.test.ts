/**
 * The real webhook over real HTTPS (certificates from `persistguard certs`' generator) answering captured-style
 * AdmissionReview v1 requests, in enforce and audit mode, with the real loader and engine behind it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { defaultConfig, type ResolvedConfig } from '../../policies/config/types.js';
import type { ClusterView } from '../../policies/model/cluster-view.js';
import type { InformerStatus } from '../../webhook/cluster/types.js';
import { fixture, request, startTestServer, validate, type TestServer } from './helpers.js';

function withConfig(patch: Partial<ResolvedConfig>): ResolvedConfig {
  return { ...defaultConfig(), ...patch };
}

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

  test('the same Deployment moved onto a claim is allowed on UPDATE', async () => {
    const review = fixture('deployment-postgres-pvc-update.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response).toMatchObject({ uid: uidOf(review), allowed: true });
    expect(r.response.status).toBeUndefined();
    expect(decisionLog(t, uidOf(review)).operation).toBe('UPDATE');
  });

  test('a data dir on hostPath is allowed with a warning that kubectl prints', async () => {
    const review = fixture('deployment-postgres-hostpath.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(true);
    const warnings = r.response.warnings ?? [];
    expect(warnings.some((w) => w.includes('[data-path-pvc]') && w.includes('/var/lib/postgresql/data'))).toBe(true);
    for (const w of warnings) expect(w.length).toBeLessThanOrEqual(256);
    expect(decisionLog(t, uidOf(review)).verdict).toBe('warn');
  });

  test('an exemption annotation with a reason is honoured, as in the CLI', async () => {
    const review = fixture('deployment-postgres-emptydir-exempt.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(true);
    expect(decisionLog(t, uidOf(review)).suppressed).toBeGreaterThanOrEqual(1);
  });

  test('a StatefulSet with volumeClaimTemplates is allowed without data-path findings', async () => {
    const review = fixture('statefulset-mysql-claim-templates.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(true);
    expect((r.response.warnings ?? []).filter((w) => w.includes('data-path-pvc'))).toEqual([]);
  });

  test('a dry-run StatefulSet on emptyDir gets the real verdict and the log says dryRun', async () => {
    const review = fixture('statefulset-mysql-emptydir-dryrun.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.message).toContain('/var/lib/mysql');
    expect(decisionLog(t, uidOf(review)).dryRun).toBe(true);
  });

  test('a CronJob keeping its SQLite database in /tmp is denied', async () => {
    const review = fixture('cronjob-sqlite-in-tmp.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.message).toContain('[sqlite-in-tmp]');
    expect(r.response.status?.message).toContain('/tmp/financial.db');
    expect(r.response.status?.message).toContain('CronJob finance/ledger-import');
  });

  test('an unowned Pod with redis data on emptyDir is denied', async () => {
    const review = fixture('pod-unowned-redis-emptydir.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.message).toContain('Pod cache/redis-scratch');
    expect(r.response.status?.message).toContain('/data');
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

  test('a ReplicaSet created by a Deployment is judged as the Deployment, not again', async () => {
    const review = fixture('deployment-postgres-emptydir.json');
    const req = review.request as Record<string, unknown>;
    const obj = structuredClone(req.object) as Record<string, Record<string, unknown>>;
    obj.kind = 'ReplicaSet' as unknown as Record<string, unknown>;
    obj.metadata = {
      ...obj.metadata,
      name: 'postgres-7d9f8c6b5',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'postgres', uid: 'd1', controller: true }],
    };
    Object.assign(req, {
      uid: 'rs-owned',
      kind: { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
      name: 'postgres-7d9f8c6b5',
      object: obj,
    });
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response).toEqual({ uid: 'rs-owned', allowed: true });
    expect(decisionLog(t, 'rs-owned')).toMatchObject({ reason: 'owned', detail: 'owned by Deployment' });
  });

  test('a Pod owned by a kind the webhook does not validate (a CRD) is judged itself', async () => {
    const review = fixture('pod-unowned-redis-emptydir.json');
    const req = review.request as Record<string, unknown>;
    const obj = structuredClone(req.object) as Record<string, Record<string, unknown>>;
    obj.metadata = {
      ...obj.metadata,
      ownerReferences: [
        { apiVersion: 'example.io/v1', kind: 'RedisCluster', name: 'cache', uid: 'c1', controller: true },
      ],
    };
    Object.assign(req, { uid: 'pod-crd-owned', object: obj });
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(false);
    expect(decisionLog(t, 'pod-crd-owned').reason).toBe('evaluated');
  });

  test('subresources and kinds the webhook does not judge are allowed untouched', async () => {
    for (const name of ['deployment-scale-subresource.json', 'configmap-unknown-kind.json']) {
      const review = fixture(name);
      const r = await validate(t.server.port, t.ca, review);
      expect(r.response).toEqual({ uid: uidOf(review), allowed: true });
      expect(decisionLog(t, uidOf(review)).reason).toBe('not-validated');
    }
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

  test('a protected claim annotated with its own name may be deleted', async () => {
    const r = await validate(t.server.port, t.ca, fixture('pvc-delete-protected-confirmed.json'));
    expect(r.response.allowed).toBe(true);
  });

  test('a confirmation naming another claim does not count (namespace controller included)', async () => {
    const review = fixture('pvc-delete-protected-wrong-confirm.json');
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.message).toContain('"other-claim"');
    expect(decisionLog(t, uidOf(review)).user).toBe('system:serviceaccount:kube-system:namespace-controller');
  });

  test('an unprotected claim may be deleted', async () => {
    const r = await validate(t.server.port, t.ca, fixture('pvc-delete-unprotected.json'));
    expect(r.response.allowed).toBe(true);
  });

  test('an object the core cannot read is allowed with the reason (--on-error allow is the default)', async () => {
    const review = fixture('deployment-postgres-emptydir.json');
    (review.request as Record<string, unknown>).object = 'not an object';
    (review.request as Record<string, unknown>).uid = 'unreadable-1';
    const r = await validate(t.server.port, t.ca, review);
    expect(r.response.allowed).toBe(true);
    expect(r.response.warnings?.[0]).toMatch(/could not read .*--on-error=allow/);
    expect(decisionLog(t, 'unreadable-1').reason).toBe('unreadable');
  });

  test('metrics count requests by kind and verdict, and findings by rule', async () => {
    const r = await request({ port: t.server.port, ca: t.ca, method: 'GET', path: '/metrics' });
    expect(r.status).toBe(200);
    expect(r.text).toMatch(
      /persistguard_admission_requests_total\{kind="Deployment",operation="CREATE",verdict="deny",reason="evaluated"\} [1-9]/,
    );
    expect(r.text).toMatch(
      /persistguard_admission_requests_total\{kind="PersistentVolumeClaim",operation="DELETE",verdict="deny",reason="pvc-guard"\} 2/,
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

  test('the PVC guard only warns in audit mode', async () => {
    const r = await validate(t.server.port, t.ca, fixture('pvc-delete-protected.json'));
    expect(r.response.allowed).toBe(true);
    expect(r.response.warnings?.[0]).toContain('would deny');
  });
});

describe('config behaves as in the CLI', () => {
  test('annotation exemptions can be forbidden by config', async () => {
    const t = await startTestServer({ config: withConfig({ allowAnnotationExemptions: false }) });
    try {
      const r = await validate(t.server.port, t.ca, fixture('deployment-postgres-emptydir-exempt.json'));
      expect(r.response.allowed).toBe(false);
      expect(r.response.status?.message).toContain('annotation exemptions are disabled');
    } finally {
      await t.stop();
    }
  });

  test('a config exemption matching kind, namespace and name allows the workload', async () => {
    const t = await startTestServer({
      config: withConfig({
        exemptions: [
          {
            rules: ['data-path-pvc'],
            kind: 'Deployment',
            namespace: 'shop',
            name: 'postgres',
            reason: 'throwaway demo database',
          },
        ],
      }),
    });
    try {
      const r = await validate(t.server.port, t.ca, fixture('deployment-postgres-emptydir.json'));
      expect(r.response.allowed).toBe(true);
    } finally {
      await t.stop();
    }
  });

  test('validateOwnedPods judges Pods owned by a ReplicaSet too', async () => {
    const t = await startTestServer({ config: withConfig({ webhook: { validateOwnedPods: true } }) });
    try {
      const r = await validate(t.server.port, t.ca, fixture('pod-owned-by-replicaset.json'));
      expect(r.response.allowed).toBe(false);
      // The name is generated after admission: the message shows the generateName prefix.
      expect(r.response.status?.message).toContain('Pod shop/postgres-7d9f8c6b5-*');
    } finally {
      await t.stop();
    }
  });

  test('webhook.protectedClaims guards claims without the label', async () => {
    const t = await startTestServer({
      config: withConfig({ webhook: { protectedClaims: [{ namespace: 'finance', name: 'scr*' }] } }),
    });
    try {
      const r = await validate(t.server.port, t.ca, fixture('pvc-delete-unprotected.json'));
      expect(r.response.allowed).toBe(false);
      expect(r.response.status?.message).toContain('webhook.protectedClaims');
      expect(r.response.status?.message).toContain(
        'kubectl annotate pvc scratch -n finance persistguard.io/confirm-delete=scratch',
      );
    } finally {
      await t.stop();
    }
  });

  test('--on-error deny refuses an unreadable object and says why', async () => {
    const t = await startTestServer({ onError: 'deny' });
    try {
      const review = fixture('deployment-postgres-emptydir.json');
      (review.request as Record<string, unknown>).object = [1, 2, 3];
      const r = await validate(t.server.port, t.ca, review);
      expect(r.response.allowed).toBe(false);
      expect(r.response.status?.message).toMatch(/could not read .*--on-error=deny/);
    } finally {
      await t.stop();
    }
  });
});

/** A test double of the live ClusterView (no API server here): readiness is set by the test. */
class ControlledViewTestDouble implements ClusterView {
  readonly kind = 'cluster' as const;
  isReady = false;
  getClaim() {
    return undefined;
  }
  knowsClaimsIn() {
    return false;
  }
  getStorageClass() {
    return undefined;
  }
  defaultStorageClass() {
    return undefined;
  }
  getPersistentVolume() {
    return undefined;
  }
  boundVolume() {
    return undefined;
  }
  claimUsers() {
    return [];
  }
  imagePresence() {
    return 'unknown' as const;
  }
  ready() {
    return this.isReady;
  }
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

  test('--on-cache-miss deny refuses while syncing and says so', async () => {
    const t = await startTestServer({ view: new ControlledViewTestDouble(), onCacheMiss: 'deny' });
    try {
      const r = await validate(t.server.port, t.ca, fixture('deployment-postgres-pvc-update.json'));
      expect(r.response.allowed).toBe(false);
      expect(r.response.status?.code).toBe(503);
      expect(r.response.status?.message).toContain('--on-cache-miss=deny');
      // The PVC guard needs no cache: still decided on its own merits.
      const p = await validate(t.server.port, t.ca, fixture('pvc-delete-unprotected.json'));
      expect(p.response.allowed).toBe(true);
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

  test('--on-cache-miss allow answers without cluster lookups and says so', async () => {
    const t = await startTestServer({ view: new ControlledViewTestDouble(), onCacheMiss: 'allow' });
    try {
      const r = await validate(t.server.port, t.ca, fixture('deployment-postgres-pvc-update.json'));
      expect(r.response.allowed).toBe(true);
      expect(r.response.warnings?.[0]).toContain('--on-cache-miss=allow');
      const logs = t.logs.lines.filter((l) => l.msg === 'admission decision');
      expect(logs.at(-1)?.verdict).toBe('warn');
    } finally {
      await t.stop();
    }
  });
});
