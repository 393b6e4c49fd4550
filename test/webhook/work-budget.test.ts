/**
 * The webhook's work budget on admit(): objects at Kubernetes' size limits that would stall the event loop
 * (issue #13 W1–W3 bodies) are answered at once — refused in enforce mode, allowed with a warning in audit
 * mode — while ordinary objects, however many containers they have, are judged as before.
 */
import { describe, expect, test } from '@jest/globals';
import { defaultConfig } from '../../policies/config/types.js';
import { admit, type AdmissionOptions, type Decision } from '../../webhook/admission.js';
import { parseAdmissionReview } from '../../webhook/review.js';
import { overWorkBudget, WORK_LIMITS } from '../../webhook/work-budget.js';
import { fixture } from './helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function review(edit: (object: Obj) => void): ReturnType<typeof parseAdmissionReview> {
  const r = fixture('deployment-postgres-emptydir.json') as Obj;
  edit(r.request.object as Obj);
  return parseAdmissionReview(r);
}

function decide(edit: (object: Obj) => void, opts: Partial<AdmissionOptions> = {}): Decision {
  return admit(review(edit), { config: defaultConfig(), mode: 'enforce', now: new Date('2026-06-01'), ...opts });
}

const container = (o: Obj): Obj => o.spec.template.spec.containers[0] as Obj;

const hostile: [string, (o: Obj) => void, RegExp][] = [
  [
    'W1: 85k minio "server /d" argument words',
    (o) => {
      container(o).image = 'minio/minio:latest';
      container(o).args = Array.from({ length: 85_000 }, () => 'server /d ');
    },
    /170,000 command\/args words/,
  ],
  [
    'W2: one env value of "/a.db " x 150,000',
    (o) => (container(o).env = [{ name: 'DATABASE_URL', value: '/a.db '.repeat(150_000) }]),
    /900,000 characters of env values/,
  ],
  [
    'W3: 30k *_DATA_DIR env vars',
    (o) =>
      (container(o).env = Array.from({ length: 30_000 }, (_, i) => ({ name: `X${i}_DATA_DIR`, value: `/d/${i}` }))),
    /30,000 env entries/,
  ],
  [
    'W3: 30k data paths in the annotation',
    (o) =>
      (o.spec.template.metadata.annotations = {
        'persistguard.io/data-paths': Array.from({ length: 30_000 }, (_, i) => `/d/${i}`).join(','),
      }),
    /30,000 entries in persistguard.io\/data-paths/,
  ],
];

describe('objects over the work budget', () => {
  test.each(hostile)('%s: refused at once in enforce mode, naming the limit', (_name, edit, why) => {
    const d = decide(edit);
    expect(d).toMatchObject({ verdict: 'deny', reason: 'over-budget', findings: [] });
    expect(d.response).toMatchObject({ allowed: false, status: { code: 403 } });
    expect(d.response.status?.message).toMatch(why);
    expect(d.response.status?.message).toContain('Deployment shop/postgres');
  });

  test.each(hostile)('%s: allowed with a warning in audit mode (audit never blocks)', (_name, edit) => {
    const d = decide(edit, { mode: 'audit' });
    expect(d).toMatchObject({ verdict: 'warn', reason: 'over-budget' });
    expect(d.response.allowed).toBe(true);
    expect(d.response.warnings?.[0]).toContain('work budget');
  });
});

describe('an UPDATE whose stored oldObject is over the budget (created while in audit mode)', () => {
  test('the new object is judged alone: the old one is neither a base nor a source of existing violations', () => {
    const r = fixture('deployment-postgres-emptydir.json') as Obj;
    const old = JSON.parse(JSON.stringify(r.request.object)) as Obj;
    container(old).env = Array.from({ length: 30_000 }, (_, i) => ({ name: `X${i}_DATA_DIR`, value: `/d/${i}` }));
    r.request.operation = 'UPDATE';
    r.request.oldObject = old;
    const d = admit(parseAdmissionReview(r), { config: defaultConfig(), mode: 'enforce', now: new Date('2026-06-01') });
    // The postgres emptyDir error is new relative to nothing: denied, not waved through as "existing".
    expect(d).toMatchObject({ verdict: 'deny', reason: 'evaluated' });
    expect(d.response.warnings ?? []).not.toEqual(
      expect.arrayContaining([expect.stringContaining('existing violation')]),
    );
  });
});

describe('ordinary objects stay within it', () => {
  test('the captured Deployment is judged as before', () => {
    expect(decide(() => undefined)).toMatchObject({ verdict: 'deny', reason: 'evaluated' });
  });

  test('just under every limit is judged, one over is not', () => {
    const at = (n: number) => (o: Obj) => (container(o).args = Array.from({ length: n }, () => 'x'));
    expect(decide(at(WORK_LIMITS.words - 1)).reason).toBe('evaluated');
    expect(decide(at(WORK_LIMITS.words + 1)).reason).toBe('over-budget');
  });

  test('a CronJob counts the containers of its job template; a Pod its own', () => {
    const heavy = Array.from({ length: WORK_LIMITS.envEntries + 1 }, (_, i) => ({ name: `V${i}`, value: 'v' }));
    const cron = {
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', env: heavy }] } } } } },
    };
    expect(overWorkBudget(cron, 'persistguard.io/data-paths')).toMatch(/env entries/);
    expect(overWorkBudget({ spec: { containers: [{ name: 'c', env: heavy }] } }, 'k')).toMatch(/env entries/);
    expect(overWorkBudget({ spec: { containers: [{ name: 'c', env: heavy.slice(0, 100) }] } }, 'k')).toBeUndefined();
  });
});
