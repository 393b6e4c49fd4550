/**
 * screenBody(): what the webhook does to a body before the policy — the same on the event loop and on a worker
 * thread. Its answer must lead admit() to exactly the decision an unscreened request gets, while an over-budget
 * object comes back as a small skeleton (so a worker hands back kilobytes, not the megabyte it parsed).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { defaultConfig } from '../../policies/config/types.js';
import { admit, type AdmissionOptions } from '../../webhook/admission.js';
import { parseAdmissionReview, type AdmissionRequest } from '../../webhook/review.js';
import { screenBody } from '../../webhook/screen.js';
import { FIXTURES, fixture } from './helpers.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const opts: AdmissionOptions = { config: defaultConfig(), mode: 'enforce', now: new Date('2026-06-01') };
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

function screened(v: unknown): AdmissionRequest {
  const s = screenBody(bytes(v));
  if (!('request' in s)) throw new Error(`not screened: ${s.error}`);
  return s.request;
}

function edited(edit: (o: Obj) => void, name = 'deployment-postgres-emptydir.json'): Obj {
  const r = fixture(name) as Obj;
  edit(r.request.object as Obj);
  return r;
}

const container = (o: Obj): Obj => o.spec.template.spec.containers[0] as Obj;

describe('screenBody: bodies that are not AdmissionReviews', () => {
  test.each([
    ['empty', '', /empty request body/],
    ['not-json', '{"apiVersion": ', /request body is not JSON/],
    ['not-admission-review', { apiVersion: 'v1', kind: 'Pod' }, /apiVersion must be "admission.k8s.io\/v1"/],
    ['not-admission-review', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /no request object/],
  ])('%s: %j', (reason, body, message) => {
    const s = screenBody(bytes(body));
    expect(s).toMatchObject({ reason });
    expect('error' in s && s.error).toMatch(message);
  });

  test('a body that is not UTF-8 JSON (a stray 0xff byte) is not-json, not a crash', () => {
    expect(screenBody(Uint8Array.from([0x7b, 0xff, 0x7d]))).toMatchObject({ reason: 'not-json' });
  });
});

describe('screenBody: the same decision as the unscreened request', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  test.each(files)('%s', (file) => {
    const body = fixture(file);
    const alone = admit(parseAdmissionReview(body), opts);
    expect(admit(screened(body), opts)).toEqual(alone);
  });

  const hostile: [string, Obj][] = [
    [
      'W1 85k argument words',
      edited((o) => {
        container(o).image = 'minio/minio:latest';
        container(o).args = Array.from({ length: 85_000 }, () => 'server /d ');
      }),
    ],
    [
      'W2 one env value of 900k characters',
      edited((o) => (container(o).env = [{ name: 'A', value: 'x'.repeat(900_000) }])),
    ],
    [
      'W3 30k data paths in the annotation',
      edited(
        (o) =>
          (o.spec.template.metadata.annotations = {
            'persistguard.io/data-paths': Array.from({ length: 30_000 }, (_, i) => `/d/${i}`).join(','),
          }),
      ),
    ],
  ];
  test.each(hostile)('%s: refused as over budget, from a skeleton of the object', (_name, body) => {
    const request = screened(body);
    expect(request.budget?.object).toBeDefined();
    // Only what the refusal reads is left: the rest of the megabyte stays where it was parsed.
    expect(Object.keys(request.object as Obj).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(JSON.stringify(request).length).toBeLessThan(2_000);
    const d = admit(request, opts);
    expect(d).toEqual(admit(parseAdmissionReview(body), opts));
    expect(d).toMatchObject({ verdict: 'deny', reason: 'over-budget' });
  });

  test('a Pod owned by a judged controller is still allowed as owned when over budget (owners kept)', () => {
    const body = edited((o) => {
      o.metadata.ownerReferences = [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true },
      ];
      o.spec.containers = [{ name: 'c', image: 'busybox', args: Array.from({ length: 20_000 }, () => 'a') }];
    }, 'pod-unowned-redis-emptydir.json');
    const d = admit(screened(body), opts);
    expect(d).toMatchObject({ verdict: 'allow', reason: 'owned' });
    expect(d).toEqual(admit(parseAdmissionReview(body), opts));
  });

  test('an UPDATE whose oldObject is over budget: the oldObject is dropped and the new object judged alone', () => {
    const body = fixture('deployment-postgres-pvc-update.json') as Obj;
    (body.request.oldObject as Obj).spec.template.spec.containers[0].args = Array.from({ length: 20_000 }, () => 'a');
    const request = screened(body);
    expect(request.oldObject).toBeUndefined();
    expect(request.budget?.oldObject).toMatch(/20,000 command\/args words/);
    expect(admit(request, opts)).toEqual(admit(parseAdmissionReview(body), opts));
  });
});

describe('screenBody: what the policy never reads is dropped', () => {
  test('metadata.managedFields of object and oldObject', () => {
    const body = fixture('deployment-postgres-pvc-update.json') as Obj;
    const fields = [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }];
    body.request.object.metadata.managedFields = fields;
    body.request.oldObject.metadata.managedFields = fields;
    const request = screened(body);
    expect((request.object as Obj).metadata.managedFields).toBeUndefined();
    expect((request.oldObject as Obj).metadata.managedFields).toBeUndefined();
    expect((request.object as Obj).metadata.name).toBe(body.request.object.metadata.name);
  });

  test('a claim is never reduced to a skeleton: the deletion guard reads its labels and annotations', () => {
    const body = fixture('pvc-delete-protected.json') as Obj;
    const request = screened(body);
    expect(request.budget).toBeUndefined();
    expect((request.oldObject as Obj).metadata.labels).toEqual(body.request.oldObject.metadata.labels);
  });
});
