/**
 * The admission policy as a table over the pure admit(): captured-style AdmissionReview v1 requests through
 * the real parser, loader and engine, in enforce and audit mode, with each failure flag. No server: the
 * HTTPS end-to-end path (TLS, logs, metrics, probes) is covered by validate.test.ts.
 */
import { describe, expect, test } from '@jest/globals';
import { defaultConfig, type ResolvedConfig } from '../../policies/config/types.js';
import { admit, type AdmissionOptions, type Decision } from '../../webhook/admission.js';
import { parseAdmissionReview, type AdmissionRequest } from '../../webhook/review.js';
import { fixture } from './helpers.js';
import { BrokenViewTestDouble, SyncingViewTestDouble } from './view-doubles.js';

function withConfig(patch: Partial<ResolvedConfig>): ResolvedConfig {
  return { ...defaultConfig(), ...patch };
}

function req(name: string, patch: (r: Record<string, unknown>) => void = () => undefined): AdmissionRequest {
  const review = fixture(name);
  patch(review.request as Record<string, unknown>);
  return parseAdmissionReview(review);
}

function decide(request: AdmissionRequest, opts: Partial<AdmissionOptions> = {}): Decision {
  return admit(request, { config: defaultConfig(), mode: 'enforce', now: new Date('2026-06-01'), ...opts });
}

function warnings(d: Decision): string[] {
  return d.response.warnings ?? [];
}

describe('enforce mode', () => {
  test('a Deployment keeping postgres data on an emptyDir is denied with a 403 listing the finding', () => {
    const d = decide(req('deployment-postgres-emptydir.json'));
    expect(d).toMatchObject({ verdict: 'deny', reason: 'evaluated', findings: [{ ruleId: 'data-path-pvc' }] });
    expect(d.response).toMatchObject({ allowed: false, status: { code: 403, reason: 'Forbidden' } });
    const msg = d.response.status?.message ?? '';
    expect(msg).toContain('Deployment shop/postgres');
    expect(msg).toContain('[data-path-pvc]');
    expect(msg).toContain('"postgres"');
    expect(msg).toContain('/var/lib/postgresql/data');
    expect(msg).toMatch(/at spec\.template\.spec\./);
    expect(msg).toContain('Fix: ');
    expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(4096);
  });

  test('the same Deployment moved onto a claim is allowed on UPDATE, warned that the emptyDir data is not carried over', () => {
    const request = req('deployment-postgres-pvc-update.json');
    const d = decide(request);
    expect(request.operation).toBe('UPDATE');
    expect(d.response.allowed).toBe(true);
    expect(d.response.status).toBeUndefined();
    // oldObject kept the data on an emptyDir: the running pod's data is not on the new claim.
    expect(d.findings).toEqual([{ ruleId: 'data-not-carried-over', severity: 'warning' }]);
    expect(d.response.warnings).toEqual([
      expect.stringMatching(/^persistguard: \[data-not-carried-over\] .*emptyDir volume "data"/),
    ]);
  });

  test('a data dir on hostPath is allowed with a warning that kubectl prints', () => {
    const d = decide(req('deployment-postgres-hostpath.json'));
    expect(d.response.allowed).toBe(true);
    expect(d.verdict).toBe('warn');
    expect(warnings(d).some((w) => w.includes('[data-path-pvc]') && w.includes('/var/lib/postgresql/data'))).toBe(true);
    for (const w of warnings(d)) expect(w.length).toBeLessThanOrEqual(256);
  });

  test('an exemption annotation with a reason is honoured, as in the CLI', () => {
    const d = decide(req('deployment-postgres-emptydir-exempt.json'));
    expect(d.response.allowed).toBe(true);
    expect(d.suppressed).toBeGreaterThanOrEqual(1);
  });

  test('a StatefulSet with volumeClaimTemplates is allowed without data-path findings', () => {
    const d = decide(req('statefulset-mysql-claim-templates.json'));
    expect(d.response.allowed).toBe(true);
    expect(warnings(d).filter((w) => w.includes('data-path-pvc'))).toEqual([]);
  });

  test('a dry-run StatefulSet on emptyDir gets the real verdict', () => {
    const request = req('statefulset-mysql-emptydir-dryrun.json');
    expect(request.dryRun).toBe(true);
    const d = decide(request);
    expect(d.response.allowed).toBe(false);
    expect(d.response.status?.message).toContain('/var/lib/mysql');
  });

  test('a CronJob keeping its SQLite database in /tmp is denied', () => {
    const d = decide(req('cronjob-sqlite-in-tmp.json'));
    expect(d.response.allowed).toBe(false);
    expect(d.response.status?.message).toContain('[sqlite-in-tmp]');
    expect(d.response.status?.message).toContain('/tmp/financial.db');
    expect(d.response.status?.message).toContain('CronJob finance/ledger-import');
  });

  test('an unowned Pod with redis data on emptyDir is denied', () => {
    const d = decide(req('pod-unowned-redis-emptydir.json'));
    expect(d.response.allowed).toBe(false);
    expect(d.response.status?.message).toContain('Pod cache/redis-scratch');
    expect(d.response.status?.message).toContain('/data');
  });

  test('a Pod owned by a ReplicaSet is not judged twice: allowed, decided as owned', () => {
    const request = req('pod-owned-by-replicaset.json');
    const d = decide(request);
    expect(d.response).toEqual({ uid: request.uid, allowed: true });
    expect(d).toMatchObject({ reason: 'owned', verdict: 'allow', detail: 'owned by ReplicaSet' });
  });

  test('a ReplicaSet created by a Deployment is judged as the Deployment, not again', () => {
    const request = req('deployment-postgres-emptydir.json', (r) => {
      const obj = structuredClone(r.object) as Record<string, Record<string, unknown>>;
      obj.kind = 'ReplicaSet' as unknown as Record<string, unknown>;
      obj.metadata = {
        ...obj.metadata,
        name: 'postgres-7d9f8c6b5',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'postgres', uid: 'd1', controller: true }],
      };
      Object.assign(r, {
        uid: 'rs-owned',
        kind: { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
        name: 'postgres-7d9f8c6b5',
        object: obj,
      });
    });
    const d = decide(request);
    expect(d.response).toEqual({ uid: 'rs-owned', allowed: true });
    expect(d).toMatchObject({ reason: 'owned', detail: 'owned by Deployment' });
  });

  test('a Pod owned by a kind the webhook does not validate (a CRD) is judged itself', () => {
    const request = req('pod-unowned-redis-emptydir.json', (r) => {
      const obj = structuredClone(r.object) as Record<string, Record<string, unknown>>;
      obj.metadata = {
        ...obj.metadata,
        ownerReferences: [
          { apiVersion: 'example.io/v1', kind: 'RedisCluster', name: 'cache', uid: 'c1', controller: true },
        ],
      };
      r.object = obj;
    });
    const d = decide(request);
    expect(d.response.allowed).toBe(false);
    expect(d.reason).toBe('evaluated');
  });

  test.each(['deployment-scale-subresource.json', 'configmap-unknown-kind.json'])(
    '%s: subresources and kinds the webhook does not judge are allowed untouched',
    (name) => {
      const request = req(name);
      const d = decide(request);
      expect(d.response).toEqual({ uid: request.uid, allowed: true });
      expect(d.reason).toBe('not-validated');
    },
  );

  test('deleting a protected claim is denied with the exact commands to confirm', () => {
    const d = decide(req('pvc-delete-protected.json'));
    expect(d).toMatchObject({ verdict: 'deny', reason: 'pvc-guard' });
    expect(d.response.status?.code).toBe(403);
    const msg = d.response.status?.message ?? '';
    expect(msg).toContain('PersistentVolumeClaim finance/ledger-db');
    expect(msg).toContain('persistguard.io/protected=true');
    expect(msg).toContain('kubectl annotate pvc ledger-db -n finance persistguard.io/confirm-delete=ledger-db');
    expect(msg).toContain('kubectl delete pvc ledger-db -n finance');
  });

  test('a protected claim annotated with its own name may be deleted', () => {
    const d = decide(req('pvc-delete-protected-confirmed.json'));
    expect(d.response.allowed).toBe(true);
    expect(d).toMatchObject({ reason: 'pvc-guard', detail: 'deletion confirmed by annotation' });
  });

  test('a confirmation naming another claim does not count (namespace controller included)', () => {
    const request = req('pvc-delete-protected-wrong-confirm.json');
    expect(request.userInfo?.username).toBe('system:serviceaccount:kube-system:namespace-controller');
    const d = decide(request);
    expect(d.response.allowed).toBe(false);
    expect(d.response.status?.message).toContain('"other-claim"');
  });

  test('an unprotected claim may be deleted', () => {
    expect(decide(req('pvc-delete-unprotected.json')).response.allowed).toBe(true);
  });

  test('an object the core cannot read is allowed with the reason (--on-error allow is the default)', () => {
    const d = decide(req('deployment-postgres-emptydir.json', (r) => (r.object = 'not an object')));
    expect(d.response.allowed).toBe(true);
    expect(warnings(d)[0]).toMatch(/could not read .*--on-error=allow/);
    expect(d.reason).toBe('unreadable');
  });
});

describe('audit mode', () => {
  test('what enforce denies comes back allowed, as warnings saying it would deny', () => {
    const d = decide(req('deployment-postgres-emptydir.json'), { mode: 'audit' });
    expect(d.response.allowed).toBe(true);
    expect(d.response.status).toBeUndefined();
    expect(
      warnings(d).some(
        (x) =>
          x.startsWith('persistguard (audit, would deny): [data-path-pvc]') && x.includes('/var/lib/postgresql/data'),
      ),
    ).toBe(true);
    expect(d).toMatchObject({ verdict: 'warn', findings: [{ ruleId: 'data-path-pvc' }] });
  });

  test('the PVC guard only warns in audit mode', () => {
    const d = decide(req('pvc-delete-protected.json'), { mode: 'audit' });
    expect(d.response.allowed).toBe(true);
    expect(warnings(d)[0]).toContain('would deny');
  });
});

describe('config behaves as in the CLI', () => {
  test('annotation exemptions can be forbidden by config', () => {
    const d = decide(req('deployment-postgres-emptydir-exempt.json'), {
      config: withConfig({ allowAnnotationExemptions: false }),
    });
    expect(d.response.allowed).toBe(false);
    expect(d.response.status?.message).toContain('annotation exemptions are disabled');
  });

  test('a config exemption matching kind, namespace and name allows the workload', () => {
    const config = withConfig({
      exemptions: [
        { rules: ['data-path-pvc'], kind: 'Deployment', namespace: 'shop', name: 'postgres', reason: 'demo database' },
      ],
    });
    expect(decide(req('deployment-postgres-emptydir.json'), { config }).response.allowed).toBe(true);
  });

  test('validateOwnedPods judges Pods owned by a ReplicaSet too', () => {
    const d = decide(req('pod-owned-by-replicaset.json'), {
      config: withConfig({ webhook: { validateOwnedPods: true } }),
    });
    expect(d.response.allowed).toBe(false);
    // The name is generated after admission: the message shows the generateName prefix.
    expect(d.response.status?.message).toContain('Pod shop/postgres-7d9f8c6b5-*');
  });

  test('webhook.protectedClaims guards claims without the label', () => {
    const d = decide(req('pvc-delete-unprotected.json'), {
      config: withConfig({ webhook: { protectedClaims: [{ namespace: 'finance', name: 'scr*' }] } }),
    });
    expect(d.response.allowed).toBe(false);
    expect(d.response.status?.message).toContain('webhook.protectedClaims');
    expect(d.response.status?.message).toContain(
      'kubectl annotate pvc scratch -n finance persistguard.io/confirm-delete=scratch',
    );
  });

  test('--on-error deny refuses an unreadable object and says why', () => {
    const d = decide(
      req('deployment-postgres-emptydir.json', (r) => (r.object = [1, 2, 3])),
      { onError: 'deny' },
    );
    expect(d.response.allowed).toBe(false);
    expect(d.response.status).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(d.response.status?.message).toMatch(/could not read .*--on-error=deny/);
  });
});

describe('cluster caches not synced (test double view)', () => {
  test('--on-cache-miss deny refuses while syncing and says so; the PVC guard needs no cache', () => {
    const opts = { view: new SyncingViewTestDouble(), onCacheMiss: 'deny' as const };
    const d = decide(req('deployment-postgres-pvc-update.json'), opts);
    expect(d).toMatchObject({ verdict: 'deny', reason: 'cache-miss' });
    expect(d.response.status?.code).toBe(503);
    expect(d.response.status?.message).toContain('--on-cache-miss=deny');
    expect(decide(req('pvc-delete-unprotected.json'), opts).response.allowed).toBe(true);
  });

  test('audit mode never denies, even with --on-cache-miss deny and --on-error deny', () => {
    const opts = {
      mode: 'audit' as const,
      view: new SyncingViewTestDouble(),
      onCacheMiss: 'deny' as const,
      onError: 'deny' as const,
    };
    const d = decide(req('deployment-postgres-emptydir.json'), opts);
    expect(d.response.allowed).toBe(true);
    expect(warnings(d)[0]).toContain('cluster caches are still syncing');
    expect(warnings(d).some((w) => w.includes('would deny'))).toBe(true);
    const u = decide(
      req('deployment-postgres-emptydir.json', (r) => (r.object = 42)),
      opts,
    );
    expect(u.response.allowed).toBe(true);
    expect(warnings(u)[0]).toMatch(/could not read/);
  });

  test('--on-cache-miss allow answers without cluster lookups and says so', () => {
    const d = decide(req('deployment-postgres-pvc-update.json'), {
      view: new SyncingViewTestDouble(),
      onCacheMiss: 'allow',
    });
    expect(d.response.allowed).toBe(true);
    expect(d.verdict).toBe('warn');
    expect(warnings(d)[0]).toContain('--on-cache-miss=allow');
  });

  test('once the view is synced the same request is judged with it: a claim the cluster lacks is denied', () => {
    const view = new SyncingViewTestDouble();
    view.isReady = true;
    const d = decide(req('deployment-postgres-pvc-update.json'), { view, onCacheMiss: 'deny' });
    expect(d.response.allowed).toBe(false);
    expect(d.findings.map((f) => f.ruleId).sort()).toEqual(['data-not-carried-over', 'pvc-missing']);
    expect(d.findings.find((f) => f.ruleId === 'pvc-missing')?.severity).toBe('error');
    expect(warnings(d).filter((w) => w.includes('syncing'))).toEqual([]);
  });
});

describe('persistguard itself fails (broken cluster view test double): admit() answers, never throws', () => {
  const cases = [
    { where: 'ready', what: 'before the engine runs' },
    { where: 'flavor', what: 'inside the engine' },
  ] as const;

  test.each(cases)('audit mode allows with --on-error deny when the view throws $what', ({ where }) => {
    const d = decide(req('deployment-postgres-emptydir.json'), {
      mode: 'audit',
      onError: 'deny',
      view: new BrokenViewTestDouble(where),
    });
    expect(d.response.allowed).toBe(true);
    expect(d.response.status).toBeUndefined();
    expect(d).toMatchObject({ verdict: 'warn', reason: 'unreadable', internalError: { message: expect.any(String) } });
    expect(warnings(d)).toEqual([
      expect.stringMatching(/^persistguard internal error: .*\(allowed without checks: audit mode\)$/),
    ]);
  });

  test.each(cases)('enforce mode with --on-error allow allows and warns when the view throws $what', ({ where }) => {
    const d = decide(req('deployment-postgres-emptydir.json'), { view: new BrokenViewTestDouble(where) });
    expect(d.response.allowed).toBe(true);
    expect(warnings(d).join('\n')).toContain('--on-error=allow');
    expect(d.reason).toBe('unreadable');
  });

  test('enforce mode with --on-error deny refuses a bug as a 500, not as a bad manifest', () => {
    const d = decide(req('deployment-postgres-emptydir.json'), {
      onError: 'deny',
      view: new BrokenViewTestDouble('ready'),
    });
    expect(d.response.allowed).toBe(false);
    expect(d.response.status).toMatchObject({ code: 500, reason: 'InternalError' });
    expect(d.response.status?.message).toContain("reading 'synced'");
    expect(d.internalError?.stack).toContain('TypeError');
  });

  test('a thrown value that cannot even be printed still gets an answer', () => {
    const view = new BrokenViewTestDouble('ready');
    view.ready = () => {
      throw {
        toString() {
          throw new Error('no');
        },
      };
    };
    const d = decide(req('deployment-postgres-emptydir.json'), { onError: 'deny', view });
    expect(d.response).toMatchObject({ allowed: false, status: { code: 500 } });
    expect(d.detail).toBe('unprintable error');
  });
});
