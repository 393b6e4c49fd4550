#!/usr/bin/env node
// Memory and sync time of the live-cluster informers with a large cluster.
//
// The parent process runs the list/watch TEST DOUBLE API server (test/cluster/fake-api-server.ts) holding
// N nodes (30 images each, every image listed under a tag and a digest name, as containerd reports them)
// and M PersistentVolumeClaims; a child process runs the real informers (webhook/cluster) against it via a
// kubeconfig, and reports its RSS and heap before start and after every informer synced, the time to sync,
// and the cost of lookups from the caches. TypeScript sources are bundled with esbuild, so no build step.
//
//   node bench/informers/run.mjs [--nodes 5000] [--images 30] [--claims 50000] [--pods 0] [--json FILE]
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    images: { type: 'string', default: '30' },
    claims: { type: 'string', default: '50000' },
    pods: { type: 'string', default: '0' },
    'page-size': { type: 'string', default: '500' },
    json: { type: 'string' },
    child: { type: 'string' },
  },
});

// Bundles land under node_modules/.cache so bare imports (@kubernetes/client-node) resolve from there.
const outDir = path.join(root, 'node_modules/.cache/persistguard-bench-informers');

async function bundle() {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: {
      fake: path.join(root, 'test/cluster/fake-api-server.ts'),
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

const mb = (n) => Math.round((n / 1024 / 1024) * 10) / 10;

async function child(kubeconfig, pageSize) {
  const { createLiveClusterView } = await import(path.join(outDir, 'view.mjs'));
  globalThis.gc?.();
  const before = process.memoryUsage();
  const view = await createLiveClusterView({ kubeconfig, pageSize });
  const t0 = performance.now();
  await view.start();
  await view.waitForSync(300_000);
  const syncMs = performance.now() - t0;
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  globalThis.gc?.();
  const after = process.memoryUsage();
  const status = view.status();
  // Lookups as the admission path makes them (no API calls): image presence in two spellings, claims.
  const n = 200_000;
  let hits = 0;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) {
    const img =
      i % 2
        ? `docker.io/acme/svc-${i % 300}:1.${i % 7}`
        : `acme/svc-${i % 300}@sha256:${String(i % 300).padStart(64, '0')}`;
    if (view.imagePresence(img, `node-${i % 5000}`) === 'present') hits++;
    if (view.getClaim(`ns-${i % 500}`, `claim-${i % 50_000}`)) hits++;
  }
  const lookupNs = ((performance.now() - t1) * 1e6) / (2 * n);
  await view.stop();
  process.stdout.write(
    JSON.stringify({
      syncMs,
      before,
      after,
      objects: Object.fromEntries(status.map((s) => [s.resource, s.objects])),
      lookupNs,
      hits,
    }) + '\n',
  );
}

async function parent() {
  const nodes = Number(values.nodes);
  const imagesPerNode = Number(values.images);
  const claims = Number(values.claims);
  const pods = Number(values.pods);
  await bundle();
  const { FakeApiServer } = await import(path.join(outDir, 'fake.mjs'));
  const api = new FakeApiServer();
  await api.start();

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
  const kubeconfig = api.writeKubeconfig();

  const result = await new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), '--child', kubeconfig, '--page-size', values['page-size']],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`child exited ${code}`)),
    );
  });
  await api.stop();
  rmSync(outDir, { recursive: true, force: true });

  const rows = [
    ['list page size', values['page-size']],
    ['cluster', `${nodes} nodes × ${imagesPerNode} images (×2 names), ${claims} claims, ${pods} pods with claims`],
    ['objects cached', JSON.stringify(result.objects)],
    ['time to sync (all informers)', `${Math.round(result.syncMs)} ms`],
    ['RSS before start', `${mb(result.before.rss)} MiB`],
    ['RSS after sync (after GC)', `${mb(result.after.rss)} MiB`],
    [
      'heap used before / after',
      `${mb(result.before.heapUsed)} / ${mb(result.after.heapUsed)} MiB (heap reserved after: ${mb(result.after.heapTotal)} MiB)`,
    ],
    ['cache cost (heap delta)', `${mb(result.after.heapUsed - result.before.heapUsed)} MiB`],
    ['lookup (imagePresence/getClaim)', `${result.lookupNs.toFixed(0)} ns per call`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(
    `persistguard informer benchmark (Node ${process.version})\n${rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n')}\n`,
  );
  process.stdout.write(
    `  external/arrayBuffers after: ${mb(result.after.external)} / ${mb(result.after.arrayBuffers)} MiB\n`,
  );
  if (values.json)
    writeFileSync(values.json, JSON.stringify({ nodes, imagesPerNode, claims, pods, ...result }, null, 2));
}

if (values.child) await child(values.child, Number(values['page-size']));
else await parent();
