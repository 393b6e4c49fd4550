/**
 * One mapping of storage objects: the same PVC, StorageClass or PersistentVolume read from a file (the loader,
 * what `persistguard scan` sees) and from a watch (the informer records, what the webhook and `audit` see)
 * gives the same model. Only what the records drop on purpose differs: the anchor (a file position versus
 * `cluster:Kind/ns/name`) and labels/annotations outside `persistguard.io/*`.
 */
import { describe, expect, test } from '@jest/globals';
import { loadObject } from '../../../policies/load/index.js';
import { fileClusterView } from '../../../policies/engine/file-view.js';
import type { KubeObject } from '../../../webhook/cluster/api-client.js';
import {
  claimModel,
  storageClassModel,
  toClaim,
  toStorageClass,
  toVolume,
  volumeModel,
} from '../../../webhook/cluster/records.js';

function semantic<T extends { at: unknown; file: string }>(m: T | undefined): Omit<T, 'at' | 'file'> | undefined {
  if (!m) return undefined;
  const { at: _at, file: _file, ...rest } = m;
  const out = rest as Record<string, unknown>;
  for (const k of ['labels', 'annotations'])
    if (out[k])
      out[k] = Object.fromEntries(Object.entries(out[k]).filter(([key]) => key.startsWith('persistguard.io/')));
  return rest;
}

function fromFile(obj: KubeObject) {
  return loadObject(obj, { file: 'objects.yaml', index: 0 }, { fromJson: true });
}

const claims: [string, KubeObject][] = [
  [
    'a class by name',
    {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      metadata: { name: 'a', namespace: 'shop' },
      spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'] },
    },
  ],
  [
    'no class: the cluster default',
    {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      metadata: { name: 'b', namespace: 'shop' },
      spec: { accessModes: ['ReadWriteMany'] },
    },
  ],
  [
    'explicitly no class, statically bound',
    {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      metadata: { name: 'c', namespace: 'shop' },
      spec: { storageClassName: '', volumeName: 'pv-c' },
    },
  ],
  [
    'the beta class annotation (no field)',
    {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      metadata: { name: 'd', namespace: 'shop', annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' } },
      spec: {},
    },
  ],
  [
    'an empty volumeName (unbound)',
    {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      metadata: { name: 'e', namespace: 'shop' },
      spec: { volumeName: '' },
    },
  ],
  [
    'protected, with other labels',
    {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      metadata: {
        name: 'f',
        namespace: 'shop',
        labels: { app: 'db', 'persistguard.io/protected': 'true' },
        annotations: { 'persistguard.io/confirm-delete': 'f', note: 'x' },
      },
      spec: { storageClassName: 'fast' },
    },
  ],
];

const classes: [string, KubeObject, boolean][] = [
  [
    'GA default annotation',
    {
      kind: 'StorageClass',
      apiVersion: 'storage.k8s.io/v1',
      metadata: { name: 'ga', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
    } as KubeObject,
    true,
  ],
  [
    'beta default annotation',
    {
      kind: 'StorageClass',
      apiVersion: 'storage.k8s.io/v1',
      metadata: { name: 'beta', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'x',
    } as KubeObject,
    true,
  ],
  // Kubernetes' IsDefaultAnnotation: either spelling set to "true" makes a default, whatever the other says.
  [
    'GA "false" but beta "true"',
    {
      kind: 'StorageClass',
      apiVersion: 'storage.k8s.io/v1',
      metadata: {
        name: 'mixed',
        annotations: {
          'storageclass.kubernetes.io/is-default-class': 'false',
          'storageclass.beta.kubernetes.io/is-default-class': 'true',
        },
      },
      provisioner: 'x',
    } as KubeObject,
    true,
  ],
  [
    'not a default',
    {
      kind: 'StorageClass',
      apiVersion: 'storage.k8s.io/v1',
      metadata: { name: 'plain', annotations: { 'storageclass.kubernetes.io/is-default-class': 'True' } },
      provisioner: 'x',
      reclaimPolicy: 'Retain',
    } as KubeObject,
    false,
  ],
];

const volumes: [string, KubeObject][] = [
  [
    'bound by claimRef, class by field',
    {
      kind: 'PersistentVolume',
      apiVersion: 'v1',
      metadata: { name: 'pv-a' },
      spec: {
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'fast',
        claimRef: { namespace: 'shop', name: 'a' },
        accessModes: ['ReadWriteOnce'],
      },
    },
  ],
  [
    'class by the beta annotation',
    {
      kind: 'PersistentVolume',
      apiVersion: 'v1',
      metadata: { name: 'pv-b', annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' } },
      spec: { persistentVolumeReclaimPolicy: 'Retain' },
    },
  ],
];

describe('storage objects: file loader and informer records give the same model', () => {
  test.each(claims)('PersistentVolumeClaim: %s', (_name, obj) => {
    const file = fromFile(obj).claims[0];
    const rec = toClaim(obj);
    expect(rec).toBeDefined();
    expect(semantic(claimModel(rec!))).toEqual(semantic(file));
  });

  test.each(classes)('StorageClass: %s', (_name, obj, isDefault) => {
    const project = fromFile(obj);
    const rec = toStorageClass(obj);
    expect(semantic(storageClassModel(rec!))).toEqual(semantic(project.storageClasses[0]));
    expect(rec?.isDefault).toBe(isDefault);
    // The file view picks the default class from the same flag.
    expect(fileClusterView(project).defaultStorageClass()?.name).toBe(isDefault ? obj.metadata?.name : undefined);
  });

  test.each(volumes)('PersistentVolume: %s', (_name, obj) => {
    const file = fromFile(obj).persistentVolumes[0];
    const live = volumeModel(toVolume(obj)!);
    expect(semantic(live)).toEqual(semantic(file));
  });
});
