// Positions alone, in process: loads a corpus, evaluates it, collects the anchors `reportProjects` places
// (every finding, and the resources of documents with findings), then times `locateAll` over them with the
// line scan (default) and without it (`lineScan: false`: the `yaml` CST first, as before), alternating runs.
// Allocation is the bytes the heap grew by between garbage collections (v8.GCProfiler), summed.
// Run from the repo root after `npm run build`:
//   node bench/scan/positions.mjs DIR [--runs 3] [--repo DIR] [--only scan|cst]
// `--repo` measures another checkout's build (its default path only, when it has no line scan).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  console.error('usage: node bench/scan/positions.mjs DIR [--runs 3] [--repo DIR]');
  process.exit(2);
}
const repo = path.resolve(arg('repo', path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')));
const runs = Number(arg('runs', '3'));
const build = (p) => path.join(repo, 'build/policies', p);
const { loadPaths } = await import(build('load/index.js'));
const { evaluate } = await import(build('engine/engine.js'));
const { defaultConfig } = await import(build('config/types.js'));
const { locateAll } = await import(build('locate/locate.js'));
const hasLineScan = existsSync(build('locate/line-scan.js'));

const t0 = performance.now();
const project = await loadPaths(['.'], { cwd: path.resolve(dir) });
const tLoad = performance.now() - t0;
const t1 = performance.now();
const ev = evaluate(project, { config: defaultConfig() });
const tEval = performance.now() - t1;
const key = (d) => `${d.file}\0${d.index}`;
const withFindings = new Set(ev.findings.flatMap((f) => (f.at.kind === 'node' ? [key(f.at.doc)] : [])));
const anchors = [
  ...ev.findings.map((f) => f.at),
  ...ev.resources.filter((r) => r.at.kind === 'node' && withFindings.has(key(r.at.doc))).map((r) => r.at),
];

/** Wall time and bytes allocated by one `locateAll` of every anchor. */
function measure(opts) {
  globalThis.gc?.();
  const profiler = new v8.GCProfiler();
  const before = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const out = locateAll(anchors, opts);
  const cpu1 = process.cpuUsage(cpu0);
  const ms = performance.now() - t;
  const cpuMs = (cpu1.user + cpu1.system) / 1000;
  const after = v8.getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let allocated = 0;
  let last = before;
  for (const s of statistics) {
    allocated += s.beforeGC.heapStatistics.usedHeapSize - last;
    last = s.afterGC.heapStatistics.usedHeapSize;
  }
  allocated += after - last;
  return { ms, cpuMs, allocated, out };
}

// `--only scan|cst`: one mode per process, so neither runs on a heap the other shaped.
const only = arg('only', undefined);
const modes = (
  hasLineScan
    ? [
        ['line scan', {}],
        ['CST first', { lineScan: false }],
      ]
    : [['default', {}]]
).filter(([name]) => only === undefined || !hasLineScan || (only === 'scan') === (name === 'line scan'));
const rows = new Map(modes.map(([name]) => [name, []]));
let reference;
for (let r = 0; r < runs; r++) {
  for (const [name, opts] of r % 2 === 0 ? modes : [...modes].reverse()) {
    const m = measure(opts);
    const json = JSON.stringify(m.out);
    if (reference === undefined) reference = json;
    else if (json !== reference) throw new Error(`${name}: locations differ from the first run`);
    rows.get(name).push(m);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const docs = new Set(anchors.flatMap((a) => (a.kind === 'node' ? [key(a.doc)] : []))).size;
console.log(
  `${path.resolve(dir)}: load ${(tLoad / 1000).toFixed(2)} s, evaluate ${(tEval / 1000).toFixed(2)} s, ` +
    `${ev.findings.length} findings, ${anchors.length} anchors in ${docs} documents; ${repo}; load avg ${(
      await import('node:os')
    )
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
);
for (const [name, ms] of rows) {
  const t = median(ms.map((m) => m.ms));
  const a = median(ms.map((m) => m.allocated));
  const cpu = median(ms.map((m) => m.cpuMs));
  console.log(
    `  positions, ${name}: ${(t / 1000).toFixed(2)} s median of ${ms.length} (${ms.map((m) => (m.ms / 1000).toFixed(2)).join(', ')}), ` +
      `CPU ${(cpu / 1000).toFixed(2)} s (${((cpu * 1000) / docs).toFixed(0)} µs per document), allocated ${(a / 1e6).toFixed(0)} MB (${(a / docs / 1000).toFixed(1)} KB per document)`,
  );
}
