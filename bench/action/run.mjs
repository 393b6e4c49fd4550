// Times the bundled Action (dist/index.js) the way the runner starts it: a fresh `node` per run.
//   cold start: node startup + loading the bundle, up to its first input check (an invalid input makes
//               it stop right there);
//   total:      a full run over examples/ (every report format, summary, outputs);
//   node only:  `node -e 0`, the floor neither can go below.
// Usage: node bench/action/run.mjs [runs=9] [workspace folder, default: the repository, paths examples]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist/index.js');
const runs = Number(process.argv[2] ?? 9);
const workspace = path.resolve(process.argv[3] ?? root);
const scanPaths = process.argv[3] ? '.' : 'examples';

function env(extra) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pg-bench-'));
  for (const f of ['output', 'summary']) writeFileSync(path.join(tmp, f), '');
  writeFileSync(path.join(tmp, 'event.json'), '{}');
  return {
    tmp,
    env: {
      PATH: process.env.PATH,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: tmp,
      GITHUB_OUTPUT: path.join(tmp, 'output'),
      GITHUB_STEP_SUMMARY: path.join(tmp, 'summary'),
      GITHUB_EVENT_PATH: path.join(tmp, 'event.json'),
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REPOSITORY: 'acme/shop',
      'INPUT_GITHUB-TOKEN': '',
      ...extra,
    },
  };
}

const GNU_TIME = '/usr/bin/time';
const hasTime = existsSync(GNU_TIME);

/**
 * One fresh process. Wall time is what the user waits; CPU time (user + sys, from GNU time when it is
 * installed) is what the run costs, and is far less disturbed by other load on a shared machine.
 * No shell in between: sh drops variables like INPUT_FAIL-ON whose names have a dash.
 */
function time(args, extra) {
  const { tmp, env: e } = env(extra);
  const timeFile = path.join(tmp, 'time');
  const [cmd, argv] = hasTime
    ? [GNU_TIME, ['-f', '%U %S', '-o', timeFile, process.execPath, ...args]]
    : [process.execPath, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { env: e, cwd: workspace, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const [user, sys] = hasTime
    ? readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number)
    : [NaN, NaN];
  const outputs = readFileSync(path.join(tmp, 'output'), 'utf8');
  rmSync(tmp, { recursive: true, force: true });
  return { ms, cpu: (user + sys) * 1000, status: r.status, outputs };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bench(label, args, extra, check) {
  time(args, extra); // warm the file system cache, as a runner's second step would be
  const samples = [];
  const cpus = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = time(args, extra);
    samples.push(last.ms);
    cpus.push(last.cpu);
  }
  if (check) check(last);
  const m = median(samples);
  console.log(
    `${label.padEnd(34)} wall median ${m.toFixed(0).padStart(5)} ms (min ${Math.min(...samples)
      .toFixed(0)
      .padStart(4)}, max ${Math.max(...samples)
      .toFixed(0)
      .padStart(5)})   cpu median ${median(cpus).toFixed(0).padStart(4)} ms`,
  );
  return m;
}

const bytes = statSync(dist).size;
const gz = gzipSync(readFileSync(dist)).length;
console.log(
  `node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0].toFixed(1)}, ${runs} runs each`,
);
console.log(`bundle dist/index.js: ${(bytes / 1024).toFixed(0)} KiB (${(gz / 1024).toFixed(0)} KiB gzipped)`);
const node = bench('node only (node -e 0)', ['-e', '0'], {});
const cold = bench('cold start (load bundle, stop)', [dist], { 'INPUT_FAIL-ON': 'not-a-level' }, (r) => {
  if (!r.outputs.includes('exit-code')) throw new Error('cold start run did not reach the input check');
});
const total = bench(
  `total: scan ${scanPaths === '.' ? path.basename(workspace) : 'examples/'}, all formats`,
  [dist],
  {
    INPUT_PATHS: scanPaths,
    'INPUT_FAIL-ON': 'never',
    INPUT_FORMAT: 'json sarif junit markdown policyreport',
  },
  (r) => {
    if (r.status !== 0) throw new Error(`full run exited ${r.status}`);
  },
);
console.log(
  `bundle load above node startup: ${(cold - node).toFixed(0)} ms; scan + reports above cold start: ${(total - cold).toFixed(0)} ms`,
);
console.log(
  total < 400
    ? `OK: total ${total.toFixed(0)} ms is under the 400 ms aim`
    : `SLOW: total ${total.toFixed(0)} ms is over the 400 ms aim`,
);
