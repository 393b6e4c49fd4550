// Shared by the informer benchmarks: the TypeScript sources bundled with esbuild (no build step), and the
// large cluster the list/watch TEST DOUBLE API server (test/webhook/cluster/fake-api-server.ts) is filled with.
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Bundles land under node_modules/.cache so bare imports (@kubernetes/client-node) resolve from there.
export const outDir = path.join(root, 'node_modules/.cache/persistguard-bench-informers');

export async function bundle() {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: {
      fake: path.join(root, 'test/webhook/cluster/fake-api-server.ts'),
      view: path.join(root, 'webhook/cluster/index.ts'),
    },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
}

/**
 * The NODE_OPTIONS the webhook ships with (the Helm chart's Deployment; deploy/manifests carries the same,
 * test/deploy checks they agree), so the benchmarks measure the process as it runs in a cluster.
 * `override` (the benchmarks' `--node-options`, '' for V8's defaults) replaces it.
 */
export function shippedNodeOptions(override) {
  if (override !== undefined) return override;
  const tpl = readFileSync(path.join(root, 'deploy/helm/persistguard/templates/deployment.yaml'), 'utf8');
  const m = /- name: NODE_OPTIONS\n\s+value: (.+)\n/.exec(tpl);
  if (!m) throw new Error('no NODE_OPTIONS in the chart deployment');
  return m[1].trim();
}

/**
 * `nodes` Nodes with `imagesPerNode` images each (every image under a tag and a digest name, as containerd
 * reports them, drawn from a fleet of 300), `claims` PVCs over 500 namespaces (labels, annotations and
 * managedFields as real claims have), one default StorageClass and `pods` Pods mounting claims.
 */
export function seedCluster(api, { nodes, imagesPerNode, claims, pods }) {
  // 300 distinct images in the fleet; each node holds 30 of them, each under a tag and a digest name.
  const pool = Array.from({ length: 300 }, (_, i) => i);
  api.seed(
    '/api/v1/nodes',
    Array.from({ length: nodes }, (_, n) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `node-${n}`,
        labels: { 'kubernetes.io/hostname': `node-${n}`, 'node.kubernetes.io/instance-type': 'm5.large' },
      },
      status: {
        nodeInfo: { kubeletVersion: 'v1.31.4+k3s1', containerRuntimeVersion: 'containerd://1.7.23-k3s2' },
        images: Array.from({ length: imagesPerNode }, (_, k) => {
          const i = pool[(n * 7 + k) % pool.length];
          return {
            names: [
              `docker.io/acme/svc-${i}@sha256:${String(i).padStart(64, '0')}`,
              `docker.io/acme/svc-${i}:1.${i % 7}`,
            ],
            sizeBytes: 123456789,
          };
        }),
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        ],
      },
    })),
  );
  api.seed(
    '/api/v1/persistentvolumeclaims',
    Array.from({ length: claims }, (_, c) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        namespace: `ns-${c % 500}`,
        name: `claim-${c}`,
        uid: `00000000-0000-0000-0000-${String(c).padStart(12, '0')}`,
        labels: { app: `app-${c % 1000}` },
        annotations: {
          'pv.kubernetes.io/bind-completed': 'yes',
          'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
        },
        managedFields: [
          {
            manager: 'kube-controller-manager',
            operation: 'Update',
            apiVersion: 'v1',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:status': { 'f:phase': {} } },
          },
        ],
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'local-path',
        volumeName: `pvc-${c}`,
        resources: { requests: { storage: '1Gi' } },
      },
      status: { phase: 'Bound', capacity: { storage: '1Gi' } },
    })),
  );
  api.seed('/apis/storage.k8s.io/v1/storageclasses', [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
    },
  ]);
  if (pods > 0) {
    api.seed(
      '/api/v1/pods',
      Array.from({ length: pods }, (_, p) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          namespace: `ns-${p % 500}`,
          name: `app-${p}-7d9f8c6b5-abcde`,
          labels: { 'pod-template-hash': '7d9f8c6b5' },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `app-${p}-7d9f8c6b5`, controller: true },
          ],
        },
        spec: {
          nodeName: `node-${p % nodes}`,
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `claim-${p}` } }],
          containers: [{ name: 'app', image: 'acme/svc-1:1.1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        },
        status: { phase: 'Running' },
      })),
    );
  }
}
