#!/usr/bin/env node
// Benchmark of POST /validate against a floor (bare express HTTPS returning a fixed AdmissionReview).
// Each server runs in its own process; autocannon drives them from this one over HTTPS keep-alive.
// Usage: npm run build && node bench/webhook/run.mjs [--duration 10] [--connections 10] [--rounds 2] [--fixture FILE]
//        [--repo DIR]     the webhook of another checkout's build (default: this one)
//        [--compare DIR]  also another checkout's webhook (e.g. main's) as `base`, in the same interleaved rounds:
//                         paired A/B on a shared machine, where only ratios taken moments apart mean anything
//        [--plain-floor]  also the same-size floor from a plain node:https handler, without express (`floor-plain`)
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
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    fixture: { type: 'string', default: path.join(root, 'test/webhook/fixtures/deployment-postgres-emptydir.json') },
    repo: { type: 'string', default: root },
    compare: { type: 'string' },
    'plain-floor': { type: 'boolean', default: false },
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
  // The decision log is part of the real cost: it is written to a pipe and drained, as a container runtime does.
  let decisions = 0;
  const startWebhook = async (repo) => {
    const port = await freePort();
    const child = spawn(process.execPath, serveArgs(repo, port, dir), {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (c) => (decisions += c.toString().split('\n').length - 1));
    children.push(child);
    return { port, pid: child.pid };
  };
  const startFloor = async (...answer) => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(here, 'floor.mjs'), String(port), cert, key, ...answer], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return { port, pid: child.pid };
  };
  // Two floors: the fixed allow (~110 bytes) of the original method, and since 2026-12-02 also a fixed denial of
  // the size and shape the webhook must send for the fixture (821 bytes), so both send the same bytes through TLS.
  const targets = [
    { name: 'floor', ...(await startFloor()), runs: [] },
    { name: 'floor-1k', ...(await startFloor('--deny')), runs: [] },
  ];
  if (values['plain-floor'])
    targets.push({ name: 'floor-plain', ...(await startFloor('--deny', '--plain')), runs: [] });
  if (values.compare) targets.push({ name: 'base', ...(await startWebhook(values.compare)), runs: [] });
  targets.push({ name: 'webhook', ...(await startWebhook(values.repo)), runs: [] });
  await Promise.all(targets.map((t) => waitHealthy(t.port)));

  console.log(
    `bench/webhook: webhook of ${path.resolve(values.repo)}${values.compare ? `, base: webhook of ${path.resolve(values.compare)}` : ''}, ${path.relative(root, values.fixture)} (${Buffer.byteLength(body)} bytes), ${connections} keep-alive connections, ${duration}s x ${rounds} rounds, ${os.cpus().length} CPUs, node ${process.version}`,
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
        `  round ${r + 1} ${t.name.padEnd(11)} p50 ${res.latency.p50} ms  p99 ${res.latency.p99} ms  ${Math.round(res.requests.average)} req/s  ${cpuUs.toFixed(0)} µs CPU/request`,
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
  console.log('target        p50 ms  p99 ms   req/s  CPU µs/req  RSS MiB');
  for (const [name, s] of Object.entries(summary))
    console.log(
      `${name.padEnd(12)} ${s.p50.toFixed(2).padStart(7)} ${s.p99.toFixed(2).padStart(7)} ${Math.round(s.rps).toString().padStart(7)} ${s.cpuUs.toFixed(0).padStart(11)} ${String(s.rssMiB ?? '?').padStart(8)}`,
    );
  console.log('');
  // Issue #12's aim: throughput >= 0.85 x the floor's, p99 <= 1.1 x.
  const ratios = (name, floorName) => {
    const w = summary[name];
    const f = summary[floorName];
    const p99 = w.p99 / f.p99;
    const rps = w.rps / f.rps;
    console.log(
      `${`${name}/${floorName}:`.padEnd(21)} p50 x${(w.p50 / f.p50).toFixed(2)}, p99 x${p99.toFixed(3)} (aim <= 1.10), throughput x${rps.toFixed(3)} (aim >= 0.85); CPU/request +${(w.cpuUs - f.cpuUs).toFixed(0)} µs`,
    );
    return p99 <= 1.1 && rps >= 0.85;
  };
  for (const floorName of ['floor', 'floor-1k']) if (summary.base) ratios('base', floorName);
  const met = ratios('webhook', 'floor');
  const metSameSize = ratios('webhook', 'floor-1k');
  if (summary['floor-plain']) {
    if (summary.base) ratios('base', 'floor-plain');
    ratios('webhook', 'floor-plain');
  }
  console.log(
    `machine load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}: latency ratios are only meaningful on an otherwise idle machine`,
  );
  console.log(
    `aim against the floor ${met ? 'met' : 'MISSED'}, against the same-size floor ${metSameSize ? 'met' : 'MISSED'}; ${decisions} decisions logged`,
  );
} finally {
  for (const c of children) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
