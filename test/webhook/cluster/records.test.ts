import { describe, expect, test } from '@jest/globals';
import type { KubeObject } from '../../../webhook/cluster/api-client.js';
import {
  claimModel,
  ImageIndex,
  podOwner,
  toClaim,
  toNode,
  toPod,
  toStorageClass,
  toVolume,
  type NodeRecord,
} from '../../../webhook/cluster/records.js';
import { collectionPath, judgedViaOwner, reportPath, WORKLOAD_KINDS } from '../../../webhook/cluster/workloads.js';

describe('compact records (pure mappers)', () => {
  test('a claim keeps only what the rules read, and only persistguard.io/* labels and annotations', () => {
    const c = toClaim({
      metadata: {
        namespace: 'a',
        name: 'db',
        labels: { app: 'x', 'persistguard.io/protected': 'true' },
        annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes', 'persistguard.io/confirm-delete': 'db' },
      },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName: '' },
      status: { phase: 'Bound' },
    });
    expect(c).toEqual({
      namespace: 'a',
      name: 'db',
      accessModes: ['ReadWriteOnce'],
      storageClassName: '',
      volumeName: undefined,
      labels: { 'persistguard.io/protected': 'true' },
      annotations: { 'persistguard.io/confirm-delete': 'db' },
    });
    expect(toClaim({ metadata: {} })).toBeUndefined();
  });

  test('storage classes: default by the GA or the beta annotation; volumes keep claimRef', () => {
    expect(
      toStorageClass({
        metadata: { name: 'a', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'p',
      })?.isDefault,
    ).toBe(true);
    expect(
      toStorageClass({
        metadata: { name: 'b', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } },
      })?.isDefault,
    ).toBe(false);
    expect(
      toVolume({
        metadata: { name: 'pv' },
        spec: { persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'n', name: 'c', uid: 'u' } },
      }),
    ).toEqual({
      name: 'pv',
      reclaimPolicy: 'Delete',
      storageClassName: undefined,
      claimRef: { namespace: 'n', name: 'c' },
      accessModes: [],
    });
  });

  test('claims share what repeats: one frozen access-mode list per distinct list, one empty label map', () => {
    const claim = (name: string, modes: unknown, labels?: Record<string, string>): KubeObject => ({
      metadata: { name, namespace: 'n', labels },
      spec: { accessModes: modes },
    });
    const a = toClaim(claim('a', ['ReadWriteOnce']));
    const b = toClaim(claim('b', ['ReadWriteOnce'], { app: 'x' }));
    const c = toClaim(claim('c', ['ReadWriteOnce'], { 'persistguard.io/protect': 'true' }));
    expect(a?.accessModes).toBe(b?.accessModes);
    expect(Object.isFrozen(a?.accessModes)).toBe(true);
    expect(a?.labels).toBe(b?.labels);
    expect(a?.labels).toEqual({});
    expect(c?.labels).toEqual({ 'persistguard.io/protect': 'true' });
    // Unknown modes are kept as the claim says them, not pooled.
    expect(toClaim(claim('d', ['Bogus']))?.accessModes).toEqual(['Bogus']);
    // The models handed to rules are copies: a rule changing one cannot change the cache.
    const m = claimModel(a!);
    m.accessModes.push('ReadOnlyMany');
    m.labels.x = 'y';
    expect(toClaim(claim('e', ['ReadWriteOnce']))?.accessModes).toEqual(['ReadWriteOnce']);
    expect(toClaim(claim('f', []))?.labels).toEqual({});
  });

  test('nodes: every image name normalised; k3s recognised from the kubelet or containerd version', () => {
    const n = toNode({
      metadata: { name: 'n1' },
      status: {
        nodeInfo: { kubeletVersion: 'v1.31.4+k3s1' },
        images: [{ names: ['kilo/app:1', 'docker.io/kilo/app@sha256:abc'] }, { names: null }, 'junk'],
      },
    });
    expect(n?.k3s).toBe(true);
    expect([...(n?.images ?? [])].sort()).toEqual(['docker.io/kilo/app:1', 'docker.io/kilo/app@sha256:abc']);
    expect(
      toNode({
        metadata: { name: 'n2' },
        status: { nodeInfo: { kubeletVersion: 'v1.31.4', containerRuntimeVersion: 'containerd://1.7.23-k3s2' } },
      })?.k3s,
    ).toBe(true);
    expect(
      toNode({
        metadata: { name: 'n3' },
        status: { nodeInfo: { kubeletVersion: 'v1.31.4-eks-1', containerRuntimeVersion: 'containerd://1.7.23' } },
      })?.k3s,
    ).toBe(false);
  });

  test('the image index shares one string per spelling across nodes and counts nodes per image', () => {
    const idx = new ImageIndex();
    const a = toNode({ metadata: { name: 'a' }, status: { images: [{ names: ['x:1'] }] } });
    const b = toNode({ metadata: { name: 'b' }, status: { images: [{ names: ['docker.io/library/x:1'] }] } });
    if (!a || !b) throw new Error('mapping failed');
    idx.add(a);
    idx.add(b);
    expect(idx.size).toBe(1);
    expect([...a.images][0]).toBe([...b.images][0]);
    idx.remove(a);
    expect(idx.onAnyNode('docker.io/library/x:1')).toBe(true);
    idx.remove(b);
    expect(idx.onAnyNode('docker.io/library/x:1')).toBe(false);
  });

  test('pooled node images answer like the Sets they replace, through adds, removals and id reuse', () => {
    const idx = new ImageIndex();
    let seed = 7;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const live = new Map<string, { rec: NodeRecord; names: Set<string> }>();
    for (let step = 0; step < 400; step++) {
      const name = `n${rand(40)}`;
      const old = live.get(name);
      if (old) {
        idx.remove(old.rec);
        live.delete(name);
      }
      if (rand(3) > 0) {
        const names = new Set(Array.from({ length: rand(12) }, () => `docker.io/acme/img-${rand(60)}:1`));
        const rec: NodeRecord = { name, images: new Set(names), k3s: false };
        idx.add(rec);
        live.set(name, { rec, names });
      }
      for (const { rec, names } of live.values()) {
        expect(rec.images.size).toBe(names.size);
        expect(new Set(rec.images)).toEqual(names);
        for (let k = 0; k < 60; k++) {
          const img = `docker.io/acme/img-${k}:1`;
          expect(rec.images.has(img)).toBe(names.has(img));
        }
      }
      const anywhere = new Set([...live.values()].flatMap((v) => [...v.names]));
      expect(idx.size).toBe(anywhere.size);
      for (let k = 0; k < 60; k++)
        expect(idx.onAnyNode(`docker.io/acme/img-${k}:1`)).toBe(anywhere.has(`docker.io/acme/img-${k}:1`));
    }
  });

  test('pod owners: ReplicaSet → Deployment only when the pod-template-hash matches; CronJob Jobs by their suffix', () => {
    const rs = (name: string, hash?: string): KubeObject => ({
      metadata: {
        name: 'p',
        labels: hash ? { 'pod-template-hash': hash } : ({} as Record<string, string>),
        ownerReferences: [{ kind: 'ReplicaSet', name, controller: true, apiVersion: 'apps/v1' }],
      },
    });
    expect(podOwner(rs('web-7d9f8c6b5', '7d9f8c6b5'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web',
    });
    expect(podOwner(rs('web-7d9f8c6b5', 'other'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web-7d9f8c6b5',
    });
    expect(podOwner(rs('standalone'))).toEqual({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'standalone' });
    expect(
      podOwner({
        metadata: { name: 'p', ownerReferences: [{ kind: 'Job', name: 'backup-29012345', controller: true }] },
      }),
    ).toMatchObject({ kind: 'CronJob', name: 'backup' });
    expect(
      podOwner({ metadata: { name: 'p', ownerReferences: [{ kind: 'Job', name: 'migrate-v2', controller: true }] } }),
    ).toMatchObject({ kind: 'Job', name: 'migrate-v2' });
    expect(podOwner({ metadata: { name: 'bare' } })).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'bare' });
  });

  test('pods: read-only when the volume or every mount says so; no record without claims or once finished', () => {
    const pod = (mounts: { readOnly?: boolean }[], volumeReadOnly = false, phase = 'Running') => ({
      metadata: { namespace: 'n', name: 'p' },
      spec: {
        volumes: [
          { name: 'd', persistentVolumeClaim: { claimName: 'c', readOnly: volumeReadOnly } },
          { name: 'e', emptyDir: {} },
        ],
        containers: mounts.map((m) => ({ name: 'x', volumeMounts: [{ name: 'd', mountPath: '/d', ...m }] })),
      },
      status: { phase },
    });
    expect(toPod(pod([{ readOnly: true }, { readOnly: true }]))?.claims.get('c')).toBe(true);
    expect(toPod(pod([{ readOnly: true }, {}]))?.claims.get('c')).toBe(false);
    expect(toPod(pod([{}], true))?.claims.get('c')).toBe(true);
    expect(toPod(pod([{}], false, 'Succeeded'))).toBeUndefined();
    expect(
      toPod({ metadata: { namespace: 'n', name: 'p' }, spec: { volumes: [{ name: 'e', emptyDir: {} }] } }),
    ).toBeUndefined();
  });
});

describe('audit listing helpers (pure)', () => {
  test('children of judged controllers are judged through them', () => {
    const owned = (kind: string) => ({ metadata: { ownerReferences: [{ kind, name: 'x', controller: true }] } });
    expect(judgedViaOwner('ReplicaSet', owned('Deployment'))).toBe(true);
    expect(judgedViaOwner('ReplicaSet', owned('Rollout'))).toBe(false);
    expect(judgedViaOwner('Job', owned('CronJob'))).toBe(true);
    expect(judgedViaOwner('Pod', owned('StatefulSet'))).toBe(true);
    expect(judgedViaOwner('Pod', { metadata: { ownerReferences: [{ kind: 'StatefulSet', name: 'x' }] } })).toBe(false);
    expect(judgedViaOwner('Deployment', owned('Something'))).toBe(false);
  });

  test('REST paths for lists and report applies', () => {
    const byKind = Object.fromEntries(WORKLOAD_KINDS.map((k) => [k.kind, k]));
    expect(collectionPath(byKind.Pod!)).toBe('/api/v1/pods');
    expect(collectionPath(byKind.CronJob!, 'shop')).toBe('/apis/batch/v1/namespaces/shop/cronjobs');
    expect(
      reportPath({
        apiVersion: 'wgpolicyk8s.io/v1alpha2',
        kind: 'ClusterPolicyReport',
        metadata: { name: 'persistguard-cluster' },
      }),
    ).toBe('/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/persistguard-cluster');
    expect(
      reportPath({ apiVersion: 'openreports.io/v1alpha1', kind: 'Report', metadata: { name: 'r', namespace: 'n' } }),
    ).toBe('/apis/openreports.io/v1alpha1/namespaces/n/reports/r');
  });
});
