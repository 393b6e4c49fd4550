// Render benchmark: render time per chart and per overlay, and the whole scan of a repository with 20 charts
// (copies of the test fixture charts) and 10 overlays, with the real helm and kubectl. Run from the repo root
// after `npx tsc -p tsconfig.build.json`, with helm and kubectl on PATH (or after the render tests extracted
// them into node_modules/.cache/persistguard-bin, which this script adds to PATH):
//   node bench/render/run.mjs [--charts 20] [--overlays 10] [DIR]   (DIR: measure an existing repository instead)
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const CHARTS = Number(arg('charts', 20));
const OVERLAYS = Number(arg('overlays', 10));
const given = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));

const cache = path.join(repoRoot, 'node_modules/.cache/persistguard-bin');
const PATH = [path.join(cache, 'helm'), path.join(cache, 'kubectl'), process.env.PATH].join(path.delimiter);

const { renderPaths } = await import(path.join(repoRoot, 'build/render/index.js'));
const { defaultConfig } = await import(path.join(repoRoot, 'build/policies/config/types.js'));
const { scanPaths } = await import(path.join(repoRoot, 'build/policies/index.js'));

let dir = given ? path.resolve(given) : undefined;
let tmp;
if (!dir) {
  tmp = mkdtempSync(path.join(tmpdir(), 'pg-bench-render-'));
  dir = tmp;
  const fx = path.join(repoRoot, 'test/fixtures/render');
  for (let i = 0; i < CHARTS; i++) {
    const src = i % 2 === 0 ? 'helm-db-emptydir' : 'helm-db-fixed';
    cpSync(path.join(fx, src), path.join(dir, 'charts', `db-${i}`), { recursive: true });
  }
  cpSync(path.join(fx, 'kustomize/base'), path.join(dir, 'k8s/base'), { recursive: true });
  for (let i = 0; i < OVERLAYS; i++) {
    const src = ['prod', 'staging', 'dev'][i % 3];
    cpSync(path.join(fx, 'kustomize/overlays', src), path.join(dir, 'k8s/overlays', `o${i}`), { recursive: true });
  }
}

const config = defaultConfig();
const t0 = performance.now();
const rendered = await renderPaths([dir], { cwd: dir, config: config.render, env: { ...process.env, PATH } });
const t1 = performance.now();
const report = await scanPaths([dir], { config, cwd: dir, ...rendered.scan });
const t2 = performance.now();

const rows = rendered.records.filter((r) => r.ms !== undefined);
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const kind of ['helm', 'kustomize']) {
  const ms = rows.filter((r) => r.kind === kind).map((r) => r.ms);
  if (ms.length > 0)
    console.log(
      `${kind.padEnd(9)} ${String(ms.length).padStart(4)} renders  median ${med(ms).toFixed(0)} ms  max ${Math.max(...ms).toFixed(0)} ms`,
    );
}
const docs = rendered.records.reduce((n, r) => n + r.documents, 0);
const notRendered = rendered.records.filter((r) => r.status !== 'rendered').length;
console.log(
  `render all ${(t1 - t0).toFixed(0)} ms (${rendered.records.length} records, ${docs} documents, ${notRendered} not rendered/failed)`,
);
console.log(
  `judge      ${(t2 - t1).toFixed(0)} ms (${report.summary.resources} resources, ${report.findings.length} findings, ${(report.notes ?? []).length} notes, ${report.errors.length} input errors)`,
);
console.log(`scan total ${(t2 - t0).toFixed(0)} ms`);
if (tmp && !process.argv.includes('--keep')) rmSync(tmp, { recursive: true, force: true });
if (!existsSync(cache) && !process.env.PATH?.includes('helm'))
  console.log('(no cached binaries: helm/kubectl from PATH)');
