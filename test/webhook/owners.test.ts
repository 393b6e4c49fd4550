/**
 * W5: forged owner references do not buy a pass. admit() over real AdmissionReview requests, and the chart's
 * and manifests' matchConditions held to the same table of trusted creators.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultConfig } from '../../policies/config/types.js';
import { admit } from '../../webhook/admission.js';
import { trustedCreators } from '../../policies/index.js';
import { parseAdmissionReview, type AdmissionRequest } from '../../webhook/review.js';
import { fixture, REPO_ROOT } from './helpers.js';

/** The unowned redis-on-emptyDir Pod (denied on its own), with these owner references. */
function podWithOwners(refs: unknown[]): AdmissionRequest {
  const review = fixture('pod-unowned-redis-emptydir.json');
  const r = review.request as Record<string, unknown>;
  const obj = structuredClone(r.object) as Record<string, Record<string, unknown>>;
  obj.metadata = { ...obj.metadata, ownerReferences: refs };
  r.object = obj;
  return parseAdmissionReview(review);
}

/** The postgres-on-emptyDir Deployment (denied on its own), with these owner references. */
function deploymentWithOwners(refs: unknown[]): AdmissionRequest {
  const review = fixture('deployment-postgres-emptydir.json');
  const r = review.request as Record<string, unknown>;
  const obj = structuredClone(r.object) as Record<string, Record<string, unknown>>;
  obj.metadata = { ...obj.metadata, ownerReferences: refs };
  r.object = obj;
  return parseAdmissionReview(review);
}

const ref = (apiVersion: string, kind: string, controller?: boolean) => ({
  apiVersion,
  kind,
  name: 'x',
  uid: '0b4d7f5e-1111-4222-8333-944455556666',
  ...(controller === undefined ? {} : { controller }),
});

const decide = (r: AdmissionRequest) => admit(r, { config: defaultConfig(), mode: 'enforce' });

describe('owner references that do not spare a judgement', () => {
  test.each([
    ['an unknown group, controller: true', [ref('bogus.example.com/v1', 'Deployment', true)]],
    ['an unknown group, no controller flag', [ref('bogus.example.com/v1', 'ReplicaSet')]],
    ['a real controller kind without controller: true', [ref('apps/v1', 'ReplicaSet')]],
    ['a real controller kind with controller: false', [ref('apps/v1', 'ReplicaSet', false)]],
    ['a kind that never creates Pods (Deployment)', [ref('apps/v1', 'Deployment', true)]],
    ['a group/kind mismatch (batch/v1 ReplicaSet)', [ref('batch/v1', 'ReplicaSet', true)]],
    ['a Pod as owner', [ref('v1', 'Pod', true)]],
    ['two controller references', [ref('apps/v1', 'ReplicaSet', true), ref('apps/v1', 'StatefulSet', true)]],
    ['a reference without a uid', [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', controller: true }]],
  ])('a Pod with %s is judged and denied', (_what, refs) => {
    const d = decide(podWithOwners(refs));
    expect(d.reason).toBe('evaluated');
    expect(d.response.allowed).toBe(false);
  });

  test('a Deployment "owned" by a Pod is judged and denied', () => {
    const d = decide(deploymentWithOwners([ref('v1', 'Pod', true)]));
    expect(d).toMatchObject({ reason: 'evaluated', verdict: 'deny' });
  });

  test('a Deployment owned by another Deployment is judged and denied', () => {
    const d = decide(deploymentWithOwners([ref('apps/v1', 'Deployment', true)]));
    expect(d).toMatchObject({ reason: 'evaluated', verdict: 'deny' });
  });
});

describe('owner references that do', () => {
  test.each([
    ['apps/v1', 'ReplicaSet'],
    ['apps/v1', 'StatefulSet'],
    ['apps/v1', 'DaemonSet'],
    ['batch/v1', 'Job'],
  ])('a Pod controlled by %s %s is decided as owned', (apiVersion, kind) => {
    const d = decide(podWithOwners([ref('example.io/v1', 'Other'), ref(apiVersion, kind, true)]));
    expect(d).toMatchObject({ reason: 'owned', verdict: 'allow', detail: `owned by ${kind}` });
  });
});

describe("the chart's and manifests' matchConditions", () => {
  const expected = Object.entries(trustedCreators())
    .flatMap(([owned, creators]) => creators.map((c) => `${owned} ${c}`))
    .sort();
  test.each([
    'deploy/helm/persistguard/templates/validatingwebhookconfiguration.yaml',
    'deploy/manifests/base/validatingwebhookconfiguration.yaml',
  ])('%s skips exactly the pairs admit() trusts', (file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const line = text.split('\n').find((l) => l.includes('ownerReferences.exists('));
    expect(line).toBeDefined();
    expect(line).toContain(
      "has(r.controller) && r.controller && (request.kind.kind + ' ' + r.apiVersion + ' ' + r.kind) in [",
    );
    const list = /in \[([^\]]*)\]\)"\s*$/.exec(line ?? '')?.[1] ?? '';
    const pairs = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
    expect(pairs).toEqual(expected);
  });
});
