#!/usr/bin/env node
// Benchmark of POST /validate against a floor (bare express HTTPS returning a fixed AdmissionReview).
// Each server runs in its own process; autocannon drives them from this one over HTTPS keep-alive.
// Usage: npm run build && node bench/webhook/run.mjs [--duration 10] [--connections 10] [--rounds 2] [--fixture FILE]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { driveValidate, freePort, waitHealthy } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    fixture: { type: 'string', default: path.join(root, 'test/webhook/fixtures/deployment-postgres-emptydir.json') },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const body = readFileSync(values.fixture, 'utf8');

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) the process has used: robust to a busy machine, unlike latency. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

const drive = (port, seconds) => driveValidate(port, body, { connections, seconds });

const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-bench-'));
const children = [];
try {
  execFileSync(process.execPath, [path.join(root, 'bin/persistguard.js'), 'certs', '--out', dir], { stdio: 'ignore' });
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  const webhookPort = await freePort();
  const floorPort = await freePort();

  const webhook = spawn(
    process.execPath,
    [
      path.join(root, 'bin/persistguard.js'),
      'serve',
      '--no-cluster',
      '--host',
      '127.0.0.1',
      '--port',
      String(webhookPort),
      '--tls-cert',
      cert,
      '--tls-key',
      key,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // The decision log is part of the real cost: it is written to a pipe and drained, as a container runtime does.
  let decisions = 0;
  webhook.stdout.on('data', (c) => (decisions += c.toString().split('\n').length - 1));
  const floor = spawn(process.execPath, [path.join(here, 'floor.mjs'), String(floorPort), cert, key], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(webhook, floor);
  await Promise.all([waitHealthy(webhookPort), waitHealthy(floorPort)]);

  const targets = [
    { name: 'floor', port: floorPort, pid: floor.pid, runs: [] },
    { name: 'webhook', port: webhookPort, pid: webhook.pid, runs: [] },
  ];
  console.log(
    `bench/webhook: ${path.relative(root, values.fixture)} (${Buffer.byteLength(body)} bytes), ${connections} keep-alive connections, ${duration}s x ${rounds} rounds, ${os.cpus().length} CPUs, node ${process.version}`,
  );
  for (const t of targets) await drive(t.port, Number(values.warmup));
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      const cpuBefore = cpuSeconds(t.pid);
      const res = await drive(t.port, duration);
      const cpuAfter = cpuSeconds(t.pid);
      if (res.non2xx > 0 || res.errors > 0) throw new Error(`${t.name}: ${res.non2xx} non-2xx, ${res.errors} errors`);
      const cpuUs =
        cpuBefore === undefined || cpuAfter === undefined ? NaN : ((cpuAfter - cpuBefore) * 1e6) / res.requests.total;
      t.runs.push({ p50: res.latency.p50, p99: res.latency.p99, rps: res.requests.average, cpuUs });
      console.log(
        `  round ${r + 1} ${t.name.padEnd(7)} p50 ${res.latency.p50} ms  p99 ${res.latency.p99} ms  ${Math.round(res.requests.average)} req/s  ${cpuUs.toFixed(0)} µs CPU/request`,
      );
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const summary = Object.fromEntries(
    targets.map((t) => [
      t.name,
      {
        p50: mean(t.runs.map((x) => x.p50)),
        p99: mean(t.runs.map((x) => x.p99)),
        rps: mean(t.runs.map((x) => x.rps)),
        cpuUs: mean(t.runs.map((x) => x.cpuUs)),
        rssMiB: rssMiB(t.pid),
      },
    ]),
  );
  const p99Ratio = summary.webhook.p99 / summary.floor.p99;
  const rpsRatio = summary.webhook.rps / summary.floor.rps;
  console.log('');
  console.log('target    p50 ms  p99 ms   req/s  CPU µs/req  RSS MiB');
  for (const [name, s] of Object.entries(summary))
    console.log(
      `${name.padEnd(8)} ${s.p50.toFixed(2).padStart(7)} ${s.p99.toFixed(2).padStart(7)} ${Math.round(s.rps).toString().padStart(7)} ${s.cpuUs.toFixed(0).padStart(11)} ${String(s.rssMiB ?? '?').padStart(8)}`,
    );
  console.log('');
  console.log(
    `webhook/floor: p50 x${(summary.webhook.p50 / summary.floor.p50).toFixed(2)}, p99 x${p99Ratio.toFixed(3)} (aim <= 1.30), throughput x${rpsRatio.toFixed(3)} (aim >= 0.75)`,
  );
  console.log(
    `server CPU per request: webhook ${summary.webhook.cpuUs.toFixed(0)} µs vs floor ${summary.floor.cpuUs.toFixed(0)} µs (+${(summary.webhook.cpuUs - summary.floor.cpuUs).toFixed(0)} µs of policy, logging and metrics)`,
  );
  console.log(
    `machine load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}: latency ratios are only meaningful on an otherwise idle machine`,
  );
  console.log(`aim ${p99Ratio <= 1.3 && rpsRatio >= 0.75 ? 'met' : 'MISSED'}; ${decisions} decisions logged`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
