#!/usr/bin/env node
// The shipped webhook process with a large cluster cached: `persistguard serve --kubeconfig …` (the real
// CLI entry, with whatever V8 tuning `serve` applies) against the list/watch TEST DOUBLE API server filled
// as bench/informers/run.mjs fills it; reports time to /readyz, RSS once synced and idle, then drives
// /validate with autocannon and reports latency, CPU per request and RSS under load.
//
//   npm run build && node bench/informers/serve.mjs [--nodes 5000] [--claims 50000] [--tuning both|on|off]
//                                                   [--duration 10] [--connections 10] [--node-options '...']
// The server runs with the NODE_OPTIONS the Helm chart sets (`--node-options ''`: V8's defaults); --tuning
// sets PERSISTGUARD_V8_TUNING (both: off as shipped, then the opt-in on).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { driveValidate, freePort, waitHealthy } from '../webhook/support.mjs';
import { bundle, outDir, root, seedCluster, shippedNodeOptions } from './cluster.mjs';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    images: { type: 'string', default: '30' },
    claims: { type: 'string', default: '50000' },
    pods: { type: 'string', default: '0' },
    tuning: { type: 'string', default: 'both' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    settle: { type: 'string', default: '3' },
    'node-options': { type: 'string' },
    fixture: { type: 'string', default: path.join(root, 'test/webhook/fixtures/deployment-postgres-emptydir.json') },
  },
});
const bin = path.join(root, 'bin/persistguard.js');
if (!existsSync(path.join(root, 'build/cli/run.js'))) throw new Error('run `npm run build` first');
const body = readFileSync(values.fixture, 'utf8');
const nodeOptions = shippedNodeOptions(values['node-options']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function procStatus(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Math.round(Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(st)?.[1] ?? NaN) / 102.4) / 10;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function readyz(port) {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: '/readyz' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      })
      .on('error', () => resolve(false));
  });
}

const drive = (port, seconds) => driveValidate(port, body, { connections: Number(values.connections), seconds });

async function measure(tuning, kubeconfig, dir) {
  const port = await freePort();
  const metricsPort = await freePort();
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    [
      bin,
      'serve',
      '--kubeconfig',
      kubeconfig,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--metrics-port',
      String(metricsPort),
      '--tls-cert',
      path.join(dir, 'tls.crt'),
      '--tls-key',
      path.join(dir, 'tls.key'),
    ],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: nodeOptions, PERSISTGUARD_V8_TUNING: tuning },
    },
  );
  proc.stdout.resume(); // the decision log, drained as a container runtime does
  try {
    await waitHealthy(metricsPort);
    while (!(await readyz(metricsPort))) await sleep(100);
    const readyMs = performance.now() - t0;
    await sleep(Number(values.settle) * 1000);
    const idle = procStatus(proc.pid);
    await drive(port, 3); // warm-up
    const cpu0 = cpuSeconds(proc.pid);
    const res = await drive(port, Number(values.duration));
    const cpuUs = ((cpuSeconds(proc.pid) - cpu0) * 1e6) / res.requests.total;
    if (res.non2xx > 0 || res.errors > 0) throw new Error(`${res.non2xx} non-2xx, ${res.errors} errors`);
    const loaded = procStatus(proc.pid);
    return {
      tuning,
      readyMs,
      idle,
      loaded,
      p50: res.latency.p50,
      p99: res.latency.p99,
      rps: res.requests.average,
      cpuUs,
    };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-bench-serve-'));
await bundle();
const { FakeApiServer } = await import(path.join(outDir, 'fake.mjs'));
const api = new FakeApiServer();
try {
  execFileSync(process.execPath, [bin, 'certs', '--out', dir], { stdio: 'ignore' });
  await api.start();
  const shape = {
    nodes: Number(values.nodes),
    imagesPerNode: Number(values.images),
    claims: Number(values.claims),
    pods: Number(values.pods),
  };
  seedCluster(api, shape);
  const kubeconfig = api.writeKubeconfig();
  const modes = values.tuning === 'both' ? ['off', 'on'] : [values.tuning];
  const rows = [];
  for (const m of modes) rows.push(await measure(m, kubeconfig, dir));
  console.log(
    `persistguard serve with ${shape.nodes} nodes × ${shape.imagesPerNode} images, ${shape.claims} claims, ${shape.pods} pods cached (Node ${process.version}, NODE_OPTIONS '${nodeOptions}', load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  console.log('V8 tuning  ready s  RSS idle  RSS under load  peak RSS  p50 ms  p99 ms  req/s  CPU µs/req');
  for (const r of rows)
    console.log(
      `${r.tuning.padEnd(9)}  ${(r.readyMs / 1000).toFixed(1).padStart(7)}  ${String(r.idle.rss).padStart(8)}  ${String(r.loaded.rss).padStart(14)}  ${String(r.loaded.peak).padStart(8)}  ${r.p50.toFixed(2).padStart(6)}  ${r.p99.toFixed(2).padStart(6)}  ${Math.round(r.rps).toString().padStart(5)}  ${r.cpuUs.toFixed(0).padStart(10)}`,
    );
} finally {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
}
