/**
 * The webhook sees one object at a time: a Bitnami StatefulSet arrives without the ConfigMap that sets
 * `dir /data`. A plain `helm install` must still pass, and the persistence-disabled install must still fail
 * (#7: the webhook in enforce mode refused a default install). The objects are the real renders kept as
 * fixtures (test/fixtures/rules/data-path-pvc/*\/bitnami-*).
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { admit } from '../../webhook/admission.js';
import { parseAdmissionReview } from '../../webhook/review.js';
import { defaultConfig } from '../../policies/config/types.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rules/data-path-pvc');

function workloads(file: string): Record<string, unknown>[] {
  return yaml
    .loadAll(readFileSync(path.join(fixtures, file), 'utf8'))
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
    .filter((d) => d.kind === 'StatefulSet' || d.kind === 'Deployment' || d.kind === 'Job');
}

function verdict(obj: Record<string, unknown>): string {
  const [group, version] = String(obj.apiVersion).includes('/')
    ? String(obj.apiVersion).split('/')
    : ['', obj.apiVersion];
  const req = parseAdmissionReview({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u',
      kind: { group, version, kind: obj.kind },
      resource: { group, version, resource: `${String(obj.kind).toLowerCase()}s` },
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'helm' },
      object: obj,
    },
  });
  const d = admit(req, { config: defaultConfig(), mode: 'enforce' });
  return `${String(obj.kind)}/${String((obj.metadata as { name: string }).name)} ${d.response.allowed ? 'allowed' : 'denied'}`;
}

describe('Bitnami charts, one object at a time through admit()', () => {
  test.each(['redis', 'valkey', 'rabbitmq', 'etcd'])('%s default install: every object is allowed', (chart) => {
    const got = workloads(`good/bitnami-default-installs/${chart}.yaml`).map(verdict);
    expect(got.length).toBeGreaterThan(0);
    for (const v of got) expect(v).toMatch(/ allowed$/);
  });

  test.each([
    ['redis', 'StatefulSet/r-redis-master denied'],
    ['valkey', 'StatefulSet/r-valkey-primary denied'],
    ['rabbitmq', 'StatefulSet/r-rabbitmq denied'],
    ['etcd', 'StatefulSet/r-etcd denied'],
  ])('%s with persistence disabled: the primary is denied', (chart, expected) => {
    expect(workloads(`bad/bitnami-persistence-disabled/${chart}.yaml`).map(verdict)).toContain(expected);
  });
});
