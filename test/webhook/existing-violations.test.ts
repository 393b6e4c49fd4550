/**
 * W11: an UPDATE that adds no new violation to an object that already had it is allowed with warnings (as
 * Kyverno's allowExistingViolations), on admit() over real AdmissionReview requests; `deny` restores the
 * strict judgement.
 */
import { describe, expect, test } from '@jest/globals';
import { defaultConfig } from '../../policies/config/types.js';
import { admit, type AdmissionOptions } from '../../webhook/admission.js';
import { parseAdmissionReview, type AdmissionRequest } from '../../webhook/review.js';
import { fixture } from './helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures edited freely

/** The postgres-on-emptyDir Deployment (denied on CREATE). */
function deployment(): Obj {
  return structuredClone((fixture('deployment-postgres-emptydir.json').request as Obj).object) as Obj;
}

function update(object: Obj, oldObject: Obj | null): AdmissionRequest {
  const review = fixture('deployment-postgres-emptydir.json');
  Object.assign(review.request as Obj, { operation: 'UPDATE', object, oldObject });
  return parseAdmissionReview(review);
}

const decide = (r: AdmissionRequest, opts: Partial<AdmissionOptions> = {}) =>
  admit(r, { config: defaultConfig(), mode: 'enforce', now: new Date('2026-06-01'), ...opts });

function labelOnly(): AdmissionRequest {
  const old = deployment();
  const now = deployment();
  now.metadata.labels = { ...now.metadata.labels, team: 'payments' };
  return update(now, old);
}

function rolloutRestart(): AdmissionRequest {
  const old = deployment();
  const now = deployment();
  now.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-06-01T10:00:00Z' };
  return update(now, old);
}

describe('existing violations on UPDATE (default allow)', () => {
  test.each([
    ['a label-only UPDATE', labelOnly],
    ['kubectl rollout restart', rolloutRestart],
  ])('%s of an already non-compliant Deployment is allowed, with the violation as a warning', (_what, make) => {
    const d = decide(make());
    expect(d.response.allowed).toBe(true);
    expect(d.verdict).toBe('warn');
    expect(d.detail).toBe('existing violations allowed: data-path-pvc');
    const w = d.response.warnings ?? [];
    expect(w.some((l) => l.startsWith('persistguard (existing violation, allowed on UPDATE):'))).toBe(true);
    expect(w.some((l) => l.includes('[data-path-pvc]'))).toBe(true);
  });

  test('an UPDATE that adds a new violation is denied for the new one only', () => {
    const old = deployment();
    const now = deployment();
    now.spec.template.spec.containers.push({
      name: 'cache',
      image: 'redis:7',
      args: ['--appendonly', 'yes'],
      volumeMounts: [{ name: 'cache', mountPath: '/data' }],
    });
    now.spec.template.spec.volumes.push({ name: 'cache', emptyDir: {} });
    const d = decide(update(now, old));
    expect(d.verdict).toBe('deny');
    const msg = d.response.status?.message ?? '';
    expect(msg).toContain('"cache"');
    expect(msg).not.toContain('/var/lib/postgresql/data');
    expect((d.response.warnings ?? []).some((l) => l.includes('existing violation'))).toBe(true);
  });

  test('moving the data dir to another emptyDir path is a new violation', () => {
    const old = deployment();
    const now = deployment();
    now.spec.template.spec.containers[0].env.push({ name: 'PGDATA', value: '/pgdata' });
    now.spec.template.spec.containers[0].volumeMounts[0].mountPath = '/pgdata';
    const d = decide(update(now, old));
    expect(d.verdict).toBe('deny');
  });

  test('without oldObject, and on CREATE, the object is judged alone', () => {
    expect(decide(update(deployment(), null)).verdict).toBe('deny');
    const create = parseAdmissionReview(fixture('deployment-postgres-emptydir.json'));
    expect(decide(create).verdict).toBe('deny');
  });

  test('--existing-violations=deny judges the UPDATE alone', () => {
    const d = decide(labelOnly(), { existingViolations: 'deny' });
    expect(d.verdict).toBe('deny');
    expect(d.response.status?.message).toContain('[data-path-pvc]');
  });
});
