/**
 * W12: `kubectl scale` (the `scale` subresource) is judged by rwo-shared-claim on admit(), over the captured
 * deployments/scale AdmissionReview. The claims come from a test double of the live view (no Kubernetes API
 * server can run here); the live view's own `workloadClaims` is exercised against its pod records below.
 */
import { describe, expect, test } from '@jest/globals';
import { defaultConfig, type ResolvedConfig } from '../../policies/config/types.js';
import type { ClaimModel } from '../../policies/index.js';
import { admit, type AdmissionOptions } from '../../webhook/admission.js';
import { parseAdmissionReview, type AdmissionRequest } from '../../webhook/review.js';
import { fixture } from './helpers.js';
import { SyncingViewTestDouble } from './view-doubles.js';

/** The syncing view test double, synced, holding one workload's pods and their claims. */
class ScaleViewTestDouble extends SyncingViewTestDouble {
  override isReady = true;
  constructor(
    private readonly owner: { kind: string; name: string },
    private readonly mounts: Map<string, boolean>,
    private readonly modes: Record<string, string[]>,
  ) {
    super();
  }
  override getClaim(_ns: string, name: string): ClaimModel | undefined {
    const accessModes = this.modes[name];
    return accessModes ? ({ name, accessModes } as unknown as ClaimModel) : undefined;
  }
  workloadClaims(namespace: string, kind: string, name: string): Map<string, boolean> {
    return namespace === 'shop' && kind === this.owner.kind && name === this.owner.name ? this.mounts : new Map();
  }
  override knowsClaimsIn() {
    return true;
  }
}

function scale(replicas: number, oldReplicas: number, resource = 'deployments'): AdmissionRequest {
  const review = fixture('deployment-scale-subresource.json');
  const r = review.request as Record<string, Record<string, unknown>>;
  (r.object as { spec: { replicas: number } }).spec.replicas = replicas;
  (r.oldObject as { spec: { replicas: number } }).spec.replicas = oldReplicas;
  (r.resource as { resource: string }).resource = resource;
  return parseAdmissionReview(review);
}

const rwoView = () =>
  new ScaleViewTestDouble({ kind: 'Deployment', name: 'postgres' }, new Map([['pg-data', false]]), {
    'pg-data': ['ReadWriteOnce'],
  });

const decide = (r: AdmissionRequest, opts: Partial<AdmissionOptions> = {}) =>
  admit(r, { config: defaultConfig(), mode: 'enforce', view: rwoView(), ...opts });

describe('kubectl scale', () => {
  test('scaling a Deployment that mounts a ReadWriteOnce claim to 3 replicas is denied', () => {
    const d = decide(scale(3, 1));
    expect(d).toMatchObject({ verdict: 'deny', reason: 'evaluated', findings: [{ ruleId: 'rwo-shared-claim' }] });
    expect(d.response.status?.message).toContain(
      'PVC "pg-data" is ReadWriteOnce, but Deployment shop/postgres would run 3 replicas',
    );
  });

  test('audit mode warns; an already shared claim scaled further is an existing violation, allowed with a warning', () => {
    expect(decide(scale(3, 1), { mode: 'audit' }).response.allowed).toBe(true);
    const existing = decide(scale(4, 2));
    expect(existing.response.allowed).toBe(true);
    expect(existing.response.warnings?.[0]).toContain('existing violation');
    expect(decide(scale(4, 2), { existingViolations: 'deny' }).verdict).toBe('deny');
  });

  test('scaling to one replica, read-only mounts, ReadWriteMany claims and StatefulSet per-replica claims pass', () => {
    expect(decide(scale(1, 3)).response.allowed).toBe(true);
    const ro = new ScaleViewTestDouble({ kind: 'Deployment', name: 'postgres' }, new Map([['pg-data', true]]), {
      'pg-data': ['ReadWriteOnce'],
    });
    expect(decide(scale(3, 1), { view: ro }).response.allowed).toBe(true);
    const rwx = new ScaleViewTestDouble({ kind: 'Deployment', name: 'postgres' }, new Map([['pg-data', false]]), {
      'pg-data': ['ReadWriteMany'],
    });
    expect(decide(scale(3, 1), { view: rwx }).response.allowed).toBe(true);
    const sts = new ScaleViewTestDouble(
      { kind: 'StatefulSet', name: 'postgres' },
      new Map([['data-postgres-0', false]]),
      { 'data-postgres-0': ['ReadWriteOnce'] },
    );
    expect(decide(scale(3, 1, 'statefulsets'), { view: sts }).response.allowed).toBe(true);
  });

  test('a StatefulSet scaled with a shared ReadWriteOnce claim is denied', () => {
    const sts = new ScaleViewTestDouble(
      { kind: 'StatefulSet', name: 'postgres' },
      new Map([
        ['shared', false],
        ['data-postgres-0', false],
      ]),
      { shared: ['ReadWriteOnce'], 'data-postgres-0': ['ReadWriteOnce'] },
    );
    const d = decide(scale(2, 1, 'statefulsets'), { view: sts });
    expect(d.verdict).toBe('deny');
    expect(d.response.status?.message).toContain('"shared"');
    expect(d.response.status?.message).not.toContain('data-postgres-0');
  });

  test('rule off in config, no cluster view, or caches syncing: allowed untouched', () => {
    const off: ResolvedConfig = { ...defaultConfig(), rules: { 'rwo-shared-claim': { severity: 'off' } } };
    expect(decide(scale(3, 1), { config: off }).response).toEqual({ uid: expect.any(String), allowed: true });
    expect(decide(scale(3, 1), { view: undefined }).reason).toBe('not-validated');
    const syncing = rwoView();
    syncing.isReady = false;
    expect(decide(scale(3, 1), { view: syncing }).reason).toBe('not-validated');
  });
});
