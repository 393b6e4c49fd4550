import { beforeAll, describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import {
  batches,
  nonKubernetesCount,
  policyReportReporter,
  policyReports,
} from '../../policies/report/policyreport.js';
import { RULES, sampleReport } from './fixtures.js';
import { hasSchemas, policyReportValidators } from './schemas.js';

const describeShared = hasSchemas ? describe : describe.skip;

type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  summary: Record<string, number>;
  results: Record<string, unknown>[];
};

function docs(api?: 'openreports'): Doc[] {
  const text = policyReportReporter.render(sampleReport(), { rules: RULES, ...(api ? { policyReportApi: api } : {}) });
  return parseAllDocuments(text).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJSON() as Doc;
  });
}

describeShared('PolicyReport against the CRD schemas', () => {
  // Compiled in beforeAll: a skipped describe still runs its body (to collect tests) without ../shared.
  let validators: ReturnType<typeof policyReportValidators>;
  beforeAll(() => {
    validators = policyReportValidators();
  });
  test.each([['wgpolicyk8s'], ['openreports']])('%s documents validate', (api) => {
    const all = docs(api === 'openreports' ? 'openreports' : undefined);
    expect(new Set(all.map((d) => d.kind))).toEqual(
      new Set(api === 'openreports' ? ['Report', 'ClusterReport'] : ['PolicyReport', 'ClusterPolicyReport']),
    );
    for (const d of all) {
      const v = validators[d.kind]!;
      v(d);
      expect(v.errors ?? null).toBeNull();
    }
  });

  test('D5: split reports each validate', () => {
    const base = sampleReport().findings[0]!;
    const findings = Array.from({ length: 6000 }, (_, i) => ({
      ...base,
      resource: { ...base.resource, name: `db-${i}` },
    }));
    const all = policyReports({ ...sampleReport(), findings, resources: [] }, { maxBytes: 200_000 });
    expect(all.length).toBeGreaterThan(3);
    for (const d of all) {
      const v = validators[d.kind]!;
      v(d);
      expect(v.errors ?? null).toBeNull();
    }
  });

  test('the schema check can fail: a result value outside the enum is rejected', () => {
    const d = docs().find((x) => x.kind === 'PolicyReport')!;
    d.results[0]!.result = 'broken';
    expect(validators.PolicyReport!(d)).toBe(false);
  });
});

describe('PolicyReport content', () => {
  test('one PolicyReport per namespace, a ClusterPolicyReport for cluster-scoped resources', () => {
    const all = docs();
    expect(all.map((d) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`)).toEqual([
      'ClusterPolicyReport//persistguard-cluster',
      'PolicyReport/default/persistguard-default',
      'PolicyReport/shop/persistguard-shop',
    ]);
    expect(all.every((d) => d.apiVersion === 'wgpolicyk8s.io/v1alpha2')).toBe(true);
  });

  test('fail/warn/skip/pass results with severities, resources and a matching summary', () => {
    const shop = docs().find((d) => d.metadata.namespace === 'shop')!;
    const byResult = (r: string) => shop.results.filter((x) => x.result === r);
    expect(byResult('fail')[0]).toMatchObject({
      policy: 'persistguard',
      rule: 'data-path-pvc',
      severity: 'high',
      source: 'persistguard',
      resources: [{ kind: 'Deployment', namespace: 'shop', name: 'db' }],
    });
    expect(byResult('warn')[0]).toMatchObject({ rule: 'image-not-imported', severity: 'medium' });
    expect(shop.summary).toEqual({ pass: 0, fail: 1, warn: 1, error: 0, skip: 0 });
    const def = docs().find((d) => d.metadata.namespace === 'default')!;
    // Namespaced kinds without a namespace land where kubectl would put them: default.
    expect(def.results).toEqual([
      expect.objectContaining({
        result: 'fail',
        resources: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'cache' }],
      }),
      expect.objectContaining({
        result: 'pass',
        resources: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'db-data' }],
      }),
    ]);
    const cluster = docs().find((d) => d.kind === 'ClusterPolicyReport')!;
    // The StorageClass passes; the compose service's suppressed finding is not a Kubernetes result.
    expect(cluster.summary).toMatchObject({ pass: 1, fail: 0, skip: 0 });
    expect(cluster.results.map((r) => (r.resources as { kind: string }[])[0]!.kind)).toEqual(['StorageClass']);
  });

  test('compose services and source files are left out, and counted in a comment at the top', () => {
    const text = policyReportReporter.render(sampleReport(), { rules: RULES });
    expect(text).not.toContain('ComposeService');
    expect(text.split('\n')[0]).toMatch(/^# 1 result for compose services and source files are not in these reports/);
    expect(nonKubernetesCount(sampleReport())).toBe(1);
  });

  test('D5: 30k findings are split into reports under 1 MiB, whole resources at a time, names -2, -3, …', () => {
    const base = sampleReport().findings[0]!;
    const findings = Array.from({ length: 30_000 }, (_, i) => ({
      ...base,
      resource: { ...base.resource, name: `db-${Math.floor(i / 3)}` },
      line: i + 1,
    }));
    const all = policyReports({ ...sampleReport(), findings, resources: [] }, {});
    const shop = all.filter((d) => d.metadata.namespace === 'shop');
    expect(shop.length).toBeGreaterThan(10);
    expect(shop.map((d) => d.metadata.name).slice(0, 3)).toEqual([
      'persistguard-shop',
      'persistguard-shop-2',
      'persistguard-shop-3',
    ]);
    for (const d of shop) expect(Buffer.byteLength(JSON.stringify(d))).toBeLessThan(1024 * 1024);
    expect(shop.reduce((n, d) => n + d.results.length, 0)).toBe(30_000);
    expect(shop.reduce((n, d) => n + d.summary.fail, 0)).toBe(30_000);
    // A resource's three results never straddle two reports.
    const where = new Map<string, string>();
    for (const d of shop)
      for (const r of d.results) {
        const name = r.resources[0]!.name;
        expect(where.get(name) ?? d.metadata.name).toBe(d.metadata.name);
        where.set(name, d.metadata.name);
      }
  });

  test('one resource alone over the limit is spread over several batches', () => {
    const big = Array.from({ length: 10 }, () => ({ message: 'x'.repeat(200) }) as never);
    expect(batches([big], 2048).length).toBeGreaterThan(1);
    expect(batches([big], 2048).flat().length).toBe(10);
  });

  test('openreports flavour uses Report/ClusterReport', () => {
    expect(docs('openreports').map((d) => `${d.apiVersion} ${d.kind}`)).toEqual([
      'openreports.io/v1alpha1 ClusterReport',
      'openreports.io/v1alpha1 Report',
      'openreports.io/v1alpha1 Report',
    ]);
  });
});
