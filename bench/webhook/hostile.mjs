#!/usr/bin/env node
// Normal admission requests while a tenant sends hostile ones (issue #13, W1–W3 bodies at the size limits):
// the p99 of the normal requests with the hostile mix running, against the same p99 alone. Aim: <= 2x.
// Usage: npm run build && node bench/webhook/hostile.mjs [--duration 10] [--connections 10] [--hostile-connections 2]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { driveValidate, freePort, serveArgs, waitHealthy } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    'hostile-connections': { type: 'string', default: '2' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const hostileConnections = Number(values['hostile-connections']);

const normal = readFileSync(path.join(root, 'test/webhook/fixtures/deployment-postgres-emptydir.json'), 'utf8');

/** The normal review with its first container rewritten by `edit`, a fresh uid, as JSON. */
function variant(edit, uid) {
  const review = JSON.parse(normal);
  review.request.uid = uid;
  edit(review.request.object);
  return JSON.stringify(review);
}
const container = (o) => o.spec.template.spec.containers[0];
const KiB = 1024;

// Sizes stay under what the API server accepts for an object (about 1.5 MiB in etcd; annotations 256 KiB in total).
const hostile = [
  {
    name: 'W1 minio args "server /d " x many (quadratic before)',
    body: variant((o) => {
      const c = container(o);
      c.image = 'minio/minio:latest';
      c.args = Array.from({ length: Math.floor((1000 * KiB) / 12) }, () => 'server /d ');
    }, 'hostile-w1'),
  },
  {
    name: 'W2 env value "/a.db " x 150,000 (RangeError before)',
    body: variant((o) => {
      container(o).env = [{ name: 'DATABASE_URL', value: '/a.db '.repeat(150_000) }];
    }, 'hostile-w2'),
  },
  {
    name: 'W3 30k distinct data paths in one annotation (stall before)',
    body: variant((o) => {
      o.spec.template.metadata.annotations = {
        'persistguard.io/data-paths': Array.from({ length: 30_000 }, (_, i) => `/d/${i.toString(36)}`).join(','),
      };
    }, 'hostile-w3a'),
  },
  {
    name: 'W3 30k *_DATA_DIR env vars (stall before)',
    body: variant((o) => {
      container(o).env = Array.from({ length: 30_000 }, (_, i) => ({ name: `X${i}_DATA_DIR`, value: `/d/${i}` }));
    }, 'hostile-w3b'),
  },
];

const drive = (port, body, conns, seconds) => driveValidate(port, body, { connections: conns, seconds, timeout: 30 });

const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-bench-hostile-'));
let webhook;
try {
  execFileSync(process.execPath, [path.join(root, 'bin/persistguard.js'), 'certs', '--out', dir], { stdio: 'ignore' });
  const port = await freePort();
  webhook = spawn(process.execPath, serveArgs(root, port, dir), { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitHealthy(port);
  console.log(
    `bench/webhook/hostile: ${connections} normal connections, ${hostileConnections} per hostile body, ${duration}s, ${os.cpus().length} CPUs, node ${process.version}`,
  );
  for (const h of hostile) console.log(`  hostile: ${h.name} (${Math.round(Buffer.byteLength(h.body) / KiB)} KiB)`);

  await drive(port, normal, connections, 3); // warm-up
  const alone = await drive(port, normal, connections, duration);
  const [mixed, ...attacks] = await Promise.all([
    drive(port, normal, connections, duration),
    ...hostile.map((h) => drive(port, h.body, hostileConnections, duration)),
  ]);
  const exitedEarly = webhook.exitCode !== null;

  console.log('');
  console.log('run                     p50 ms  p99 ms   req/s  errors');
  const row = (name, r) =>
    console.log(
      `${name.padEnd(22)} ${String(r.latency.p50).padStart(7)} ${String(r.latency.p99).padStart(7)} ${Math.round(r.requests.average).toString().padStart(7)} ${String(r.errors + r.timeouts + r.non2xx).padStart(7)}`,
    );
  row('normal alone', alone);
  row('normal + hostile', mixed);
  attacks.forEach((r, i) => row(`  ${hostile[i].name.slice(0, 20)}`, r));
  const ratio = mixed.latency.p99 / alone.latency.p99;
  console.log('');
  console.log(`normal p99 with the hostile mix: x${ratio.toFixed(2)} of alone (aim <= 2.00)`);
  console.log(`webhook process ${exitedEarly ? 'EXITED during the run' : 'still running'}`);
  console.log(
    `machine load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}: latency ratios are only meaningful on an otherwise idle machine`,
  );
  console.log(`aim ${ratio <= 2 && !exitedEarly && mixed.errors === 0 ? 'met' : 'MISSED'}`);
} finally {
  webhook?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
