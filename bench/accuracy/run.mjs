// Accuracy on real repositories: precision and recall per rule and overall, input errors, per-unit exit
// status, and every disagreement with the labels (test/corpus/labels.yaml, written before the tool ran).
// Run from the repo root after `npm run build`:   node bench/accuracy/run.mjs [--json]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanPaths } from '../../build/policies/index.js';
import { defaultConfig } from '../../build/policies/config/types.js';
import { loadUnits, measure, summarize } from './measure.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { units, problems } = loadUnits({
  corpusDir: path.join(repoRoot, 'test/corpus'),
  sharedCorpusDir: path.resolve(repoRoot, '../shared/corpus'),
  labelsFile: path.join(repoRoot, 'test/corpus/labels.yaml'),
});
for (const p of problems) console.error(`labels: ${p}`);
const results = await measure(units, (folder, cwd) =>
  scanPaths([folder], { config: defaultConfig(), cwd, now: new Date('2026-06-01T12:00:00Z') }),
);
const s = summarize(results);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ summary: s, results }, null, 2));
  process.exit(0);
}
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const row = (cells, widths) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`persistguard accuracy: ${s.files} real files in ${s.units} scan units\n`);
const uw = [52, 5, 4, 5, 3, 3, 3, 6];
console.log(row(['unit', 'files', 'exit', 'found', 'TP', 'FP', 'FN', 'inerr'], uw));
for (const r of results)
  console.log(row([r.unit, r.files, r.exit, r.found, r.tp.length, r.fp.length, r.fn.length, r.inputErrors.length], uw));
const rw = [22, 4, 4, 4, 10, 8];
console.log(`\n${row(['rule', 'TP', 'FP', 'FN', 'precision', 'recall'], rw)}`);
for (const r of s.rules) console.log(row([r.rule, r.tp, r.fp, r.fn, pct(r.precision), pct(r.recall)], rw));
const o = s.overall;
console.log(row(['overall', o.tp, o.fp, o.fn, pct(o.precision), pct(o.recall)], rw));
console.log(`\nfalse input errors: ${s.falseInputErrors.length}   false errors: ${s.falseErrors.length}`);
for (const e of s.falseInputErrors) console.log(`  input error  ${e.file}:${e.line ?? ''}  ${e.message}`);
for (const f of s.falsePositives)
  console.log(`  false ${f.severity.padEnd(7)}  ${f.file}  ${f.rule} ${f.resource}  ${f.message}`);
for (const f of s.misses) console.log(`  missed        ${f.file}  ${f.rule} ${f.resource} ${f.severity}`);
