import { describe, expect, test } from '@jest/globals';
import { FileClusterView, effectiveReplicas } from '../../policies/engine/file-view.js';
import type { ClaimUser, ClusterView, Presence } from '../../policies/model/cluster-view.js';
import type { ClaimModel, PersistentVolumeModel, StorageClassModel } from '../../policies/model/model.js';
import { evaluate } from '../../policies/engine/engine.js';
import { claim, config, container, mount, pos, project, pvc, storageClass, workload } from '../rules/builders.js';

describe('FileClusterView', () => {
  const shared = pvc('data', 'shared');
  const a = workload('a', [container('a', { mounts: [mount('/data', shared)] })], { replicas: 2 });
  const b = workload('b', [container('b', { mounts: [mount('/data', pvc('data', 'shared'), { readOnly: true })] })], {
    resource: { kind: 'DaemonSet', namespace: 'default', name: 'b' },
    perNode: true,
    replicas: undefined,
  });
  const other = workload('c', [container('c', { mounts: [mount('/data', pvc('data', 'shared'))] })], {
    resource: { kind: 'Deployment', namespace: 'prod', name: 'c' },
  });
  const pv: PersistentVolumeModel = {
    name: 'pv-1',
    reclaimPolicy: 'Retain',
    claimRef: { namespace: 'default', name: 'shared' },
    accessModes: ['ReadWriteOnce'],
    at: pos(),
    file: 'pv.yaml',
  };
  const p = project({
    workloads: [a, b, other],
    claims: [claim('shared'), claim('tpl', ['ReadWriteOnce'], { fromTemplate: true })],
    storageClasses: [storageClass('fast', 'Retain'), storageClass('local-path', undefined, true)],
    persistentVolumes: [pv],
    autoscalers: [
      {
        name: 'hpa',
        namespace: 'default',
        target: { kind: 'Deployment', name: 'a' },
        minReplicas: 3,
        at: pos(),
        file: 'hpa.yaml',
      },
    ],
  });
  const view = new FileClusterView(p);

  test('claims by namespace (templates are not standalone claims); knowsClaimsIn', () => {
    expect(view.getClaim('default', 'shared')?.name).toBe('shared');
    expect(view.getClaim('default', 'tpl')).toBeUndefined();
    expect(view.getClaim('prod', 'shared')).toBeUndefined();
    expect(view.knowsClaimsIn('default')).toBe(true);
    expect(view.knowsClaimsIn('prod')).toBe(false);
  });

  test('storage classes, default class, bound PV by claimRef', () => {
    expect(view.getStorageClass('fast')?.reclaimPolicy).toBe('Retain');
    expect(view.defaultStorageClass()?.name).toBe('local-path');
    expect(view.boundVolume('default', 'shared')?.name).toBe('pv-1');
    expect(view.boundVolume('prod', 'shared')).toBeUndefined();
  });

  test('claim users are per namespace, with effective replicas, perNode and readOnly; exclude removes the asker', () => {
    expect(view.claimUsers('default', 'shared', a.resource)).toEqual([
      { resource: b.resource, replicas: undefined, perNode: true, readOnly: true },
    ]);
    expect(view.claimUsers('default', 'shared').map((u) => [u.resource.name, u.replicas])).toEqual([
      ['a', 3],
      ['b', undefined],
    ]);
    expect(view.claimUsers('prod', 'shared').map((u) => u.resource.name)).toEqual(['c']);
  });

  test('no cluster: image presence is unknown, always ready', () => {
    expect(view.imagePresence('x')).toBe('unknown');
    expect(view.ready()).toBe(true);
    expect(view.kind).toBe('files');
  });

  test('effective replicas: autoscaler minimum raises, never lowers; per-node is undefined', () => {
    expect(effectiveReplicas(a, p.autoscalers)).toBe(3);
    expect(effectiveReplicas({ ...a, replicas: 5 }, p.autoscalers)).toBe(5);
    expect(effectiveReplicas(b, p.autoscalers)).toBeUndefined();
  });
});

/** A test double for the webhook's informer-backed view (no API server can run here). */
class ClusterViewTestDouble implements ClusterView {
  readonly kind = 'cluster' as const;
  constructor(
    private readonly claims: ClaimModel[],
    private readonly present: Record<string, Presence> = {},
    private readonly isReady = true,
    private readonly classes: StorageClassModel[] = [],
  ) {}
  getClaim(ns: string, name: string) {
    return this.claims.find((c) => c.name === name && (c.namespace ?? 'default') === ns);
  }
  knowsClaimsIn() {
    return true;
  }
  getStorageClass(name: string) {
    return this.classes.find((c) => c.name === name);
  }
  defaultStorageClass() {
    return this.classes.find((c) => c.isDefault);
  }
  getPersistentVolume() {
    return undefined;
  }
  boundVolume() {
    return undefined;
  }
  claimUsers(): ClaimUser[] {
    return [];
  }
  imagePresence(image: string) {
    return this.present[image] ?? 'unknown';
  }
  ready() {
    return this.isReady;
  }
}

describe('rules against a live-cluster view (test double)', () => {
  const app = workload('app', [
    container('app', {
      imageRef: 'kilo/financial:v1',
      pull: 'Never',
      mounts: [mount('/data', pvc('data', 'missing'))],
    }),
  ]);
  const p = project({ workloads: [app] });

  test('pvc-missing is an error when the cache is ready, silent while it syncs', () => {
    const ready = evaluate(p, { config: config(), view: new ClusterViewTestDouble([]) });
    expect(
      ready.findings.filter((f) => f.ruleId === 'pvc-missing').map((f) => [f.messageId, f.severity, f.message]),
    ).toEqual([
      [
        'missingInCluster',
        'error',
        'Volume "data" mounts PVC "missing", which does not exist in namespace default: the pod stays Pending.',
      ],
    ]);
    const syncing = evaluate(p, { config: config(), view: new ClusterViewTestDouble([], {}, false) });
    expect(syncing.findings.filter((f) => f.ruleId === 'pvc-missing')).toEqual([]);
  });

  test('k3s-image-import: an image absent from the nodes is an error with the import command; no script facts are needed', () => {
    const cfg = config({ target: 'k3s' });
    const absent = evaluate(p, {
      config: cfg,
      view: new ClusterViewTestDouble([claim('missing')], { 'kilo/financial:v1': 'absent' }),
    });
    expect(absent.findings.map((f) => [f.ruleId, f.messageId, f.severity, f.remediation])).toEqual([
      ['k3s-image-import', 'absentOnNode', 'error', 'docker save kilo/financial:v1 | sudo k3s ctr images import -'],
    ]);
    const present = evaluate(p, {
      config: cfg,
      view: new ClusterViewTestDouble([claim('missing')], { 'kilo/financial:v1': 'present' }),
    });
    expect(present.findings).toEqual([]);
  });

  test('reclaim-delete: unknown classes are not guessed in a live cluster; a real Delete class is reported', () => {
    const w = workload('db', [container('db', { imageRef: 'redis:7', mounts: [mount('/data', pvc('data', 'db'))] })]);
    const c = claim('db', ['ReadWriteOnce'], { storageClassName: 'local-path' });
    const guess = evaluate(project({ workloads: [w] }), { config: config(), view: new ClusterViewTestDouble([c]) });
    expect(guess.findings).toEqual([]);
    const real = evaluate(project({ workloads: [w] }), {
      config: config(),
      view: new ClusterViewTestDouble([c], {}, true, [storageClass('local-path', 'Delete')]),
    });
    expect(real.findings.map((f) => f.ruleId)).toEqual(['reclaim-delete']);
  });
});
