#!/usr/bin/env node
// Memory and sync time of the live-cluster informers with a large cluster.
//
// The parent process runs the list/watch TEST DOUBLE API server (test/webhook/cluster/fake-api-server.ts) holding
// N nodes (30 images each, every image listed under a tag and a digest name, as containerd reports them)
// and M PersistentVolumeClaims; a child process runs the real informers (webhook/cluster) against it via a
// kubeconfig, and reports its RSS and heap before start and after every informer synced, the time to sync,
// and the cost of lookups from the caches. TypeScript sources are bundled with esbuild, so no build step.
//
//   node bench/informers/run.mjs [--nodes 5000] [--images 30] [--claims 50000] [--pods 0] [--json FILE]
//                                [--heap-snapshot FILE]   (the child's heap after sync, for DevTools)
//                                [--node-options '...']   (default: the NODE_OPTIONS the Helm chart sets)
// The child runs with the deployment's NODE_OPTIONS and applies the V8 tuning `persistguard serve` would apply
// (webhook/cluster/heap.ts) only with PERSISTGUARD_V8_TUNING=on (opt-in); `--node-options ''` measures V8's defaults.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle, outDir, seedCluster, shippedNodeOptions } from './cluster.mjs';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    images: { type: 'string', default: '30' },
    claims: { type: 'string', default: '50000' },
    pods: { type: 'string', default: '0' },
    'page-size': { type: 'string', default: '500' },
    json: { type: 'string' },
    'heap-snapshot': { type: 'string' },
    'node-options': { type: 'string' },
    child: { type: 'string' },
  },
});

const mb = (n) => Math.round((n / 1024 / 1024) * 10) / 10;

// Where the RSS is: V8 heap spaces (committed vs used), and the kernel's split of resident memory into
// anonymous (heap, malloc arenas, stacks) and file-backed (the node binary and shared libraries' code).
async function memoryDetail() {
  const v8 = await import('node:v8');
  const { readFileSync } = await import('node:fs');
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: mb(s.space_size), used: mb(s.space_used_size) }]),
  );
  let kernel = {};
  try {
    const st = readFileSync('/proc/self/status', 'utf8');
    for (const k of ['VmRSS', 'RssAnon', 'RssFile', 'VmHWM']) {
      const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(st);
      if (m) kernel[k] = mb(Number(m[1]) * 1024);
    }
  } catch {
    kernel = {};
  }
  return { spaces, kernel };
}

let tuning = [];

async function child(kubeconfig, pageSize, snapshotFile) {
  const { createLiveClusterView, tuneHeapForCaches } = await import(path.join(outDir, 'view.mjs'));
  // What `persistguard serve` does before it creates the view (only with PERSISTGUARD_V8_TUNING=on).
  tuning = tuneHeapForCaches();
  globalThis.gc?.();
  const before = process.memoryUsage();
  const detailBefore = await memoryDetail();
  const view = await createLiveClusterView({ kubeconfig, pageSize });
  const t0 = performance.now();
  await view.start();
  await view.waitForSync(300_000);
  const syncMs = performance.now() - t0;
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  globalThis.gc?.();
  const after = process.memoryUsage();
  const detail = await memoryDetail();
  if (snapshotFile) (await import('node:v8')).writeHeapSnapshot(snapshotFile);
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
      detail,
      detailBefore,
      tuning,
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

  seedCluster(api, { nodes, imagesPerNode, claims, pods });
  const kubeconfig = api.writeKubeconfig();

  const nodeOptions = shippedNodeOptions(values['node-options']);
  const result = await new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--expose-gc',
        fileURLToPath(import.meta.url),
        '--child',
        kubeconfig,
        '--page-size',
        values['page-size'],
        ...(values['heap-snapshot'] ? ['--heap-snapshot', path.resolve(values['heap-snapshot'])] : []),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: nodeOptions } },
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
    ['NODE_OPTIONS (as deployed)', nodeOptions || '(none)'],
    ['V8 tuning (as serve applies it)', result.tuning.length ? result.tuning.join(' ') : 'off (V8 defaults)'],
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
  // Where the RSS is: V8 spaces (committed / used) and the kernel's anonymous vs file-backed split.
  const spaces = (d) =>
    Object.entries(d.spaces)
      .filter(([, v]) => v.size > 0)
      .map(([k, v]) => `${k.replace(/_space$/, '')} ${v.size}/${v.used}`)
      .join(', ');
  const kernel = (d) => `anon ${d.kernel.RssAnon} + file ${d.kernel.RssFile} MiB (peak RSS ${d.kernel.VmHWM} MiB)`;
  process.stdout.write(`  V8 spaces before (committed/used MiB): ${spaces(result.detailBefore)}\n`);
  process.stdout.write(`  V8 spaces after  (committed/used MiB): ${spaces(result.detail)}\n`);
  process.stdout.write(`  RSS before: ${kernel(result.detailBefore)}\n  RSS after:  ${kernel(result.detail)}\n`);
  if (values.json)
    writeFileSync(values.json, JSON.stringify({ nodes, imagesPerNode, claims, pods, ...result }, null, 2));
}

if (values.child) await child(values.child, Number(values['page-size']), values['heap-snapshot']);
else await parent();
