// Accuracy of persistguard on real repositories: findings compared with labels written before the tool ran
// (test/corpus/labels.yaml). Shared by bench/accuracy/run.mjs (prints the table, on the built CLI core) and
// test/corpus/accuracy.test.ts (asserts the floors, on the TypeScript sources). Plain JS so both can load it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import jsYaml from 'js-yaml';

/** Folders of ../shared/corpus left out: their existing test asserts only parts of a multi-folder scan. */
const SHARED_EXCLUDED = /^gsgfs-/;

/** `rule Kind/name severity` → an expectation. */
function parseExpectation(file, text) {
  const m = /^(\S+)\s+([^/\s]+)\/(\S+)\s+(error|warning)$/.exec(String(text).trim());
  if (!m) throw new Error(`labels: ${file}: cannot read expectation "${text}" (want "rule Kind/name severity")`);
  return { file, rule: m[1], resource: `${m[2]}/${m[3]}`, severity: m[4] };
}

function readLabelMap(map, where) {
  const out = new Map();
  for (const [file, value] of Object.entries(map ?? {})) {
    if (value === 'none' || value === null) out.set(file, []);
    else if (Array.isArray(value))
      out.set(
        file,
        value.map((v) => parseExpectation(file, v)),
      );
    else throw new Error(`labels (${where}): ${file}: expected "none" or a list`);
  }
  return out;
}

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .sort();
}

/**
 * The scan units: every top-level folder of `corpusDir` (its files all labelled), then every folder of
 * `sharedCorpusDir` when it exists (files not listed expect none).
 */
export function loadUnits({ corpusDir, sharedCorpusDir, labelsFile }) {
  const labels = jsYaml.load(readFileSync(labelsFile, 'utf8'));
  const own = readLabelMap(labels.files, 'files');
  const shared = readLabelMap(labels.shared, 'shared');
  const units = [];
  const problems = [];
  const ownFolders = readdirSync(corpusDir, { withFileTypes: true }).filter((d) => d.isDirectory());
  for (const d of ownFolders.map((x) => x.name).sort()) {
    const files = listFiles(path.join(corpusDir, d)).map((f) => `${d}/${f}`);
    for (const f of files) if (!own.has(f)) problems.push(`unlabelled corpus file: ${f}`);
    units.push({ name: d, cwd: corpusDir, source: 'corpus', files, expected: files.flatMap((f) => own.get(f) ?? []) });
  }
  for (const f of own.keys()) if (!existsSync(path.join(corpusDir, f))) problems.push(`label for a missing file: ${f}`);
  if (sharedCorpusDir && existsSync(sharedCorpusDir)) {
    const folders = readdirSync(sharedCorpusDir, { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const d of folders.map((x) => x.name).sort()) {
      if (SHARED_EXCLUDED.test(d)) continue;
      const files = listFiles(path.join(sharedCorpusDir, d)).map((f) => `${d}/${f}`);
      units.push({
        name: `shared/${d}`,
        folder: d,
        cwd: sharedCorpusDir,
        source: 'shared',
        files,
        expected: files.flatMap((f) => shared.get(f) ?? []),
      });
    }
    for (const f of shared.keys())
      if (!existsSync(path.join(sharedCorpusDir, f))) problems.push(`label for a missing shared file: ${f}`);
  }
  return { units, problems };
}

const keyOf = (x) => `${x.file}|${x.rule}|${x.resource}|${x.severity}`;

/**
 * Runs `scan(folder, cwd)` (→ a ScanReport) on every unit and compares. Suppressed findings do not count.
 * Every input error is a false one: each corpus file is a real, valid file of its kind.
 */
export async function measure(units, scan) {
  const results = [];
  for (const unit of units) {
    const report = await scan(unit.folder ?? unit.name, unit.cwd);
    const found = report.findings
      .filter((f) => !f.suppressed)
      .map((f) => ({
        file: f.file,
        rule: f.ruleId,
        resource: `${f.resource.kind}/${f.resource.name}`,
        severity: f.severity,
        message: f.message,
      }));
    const pending = new Map();
    for (const e of unit.expected) pending.set(keyOf(e), [...(pending.get(keyOf(e)) ?? []), e]);
    const tp = [];
    const fp = [];
    for (const f of found) {
      const list = pending.get(keyOf(f));
      if (list && list.length > 0) tp.push(list.pop());
      else fp.push(f);
    }
    const fn = [...pending.values()].flat();
    const errorFindings = found.filter((f) => f.severity === 'error').length;
    results.push({
      unit: unit.name,
      files: unit.files.length,
      exit: report.errors.length > 0 ? 2 : errorFindings > 0 ? 1 : 0,
      found: found.length,
      tp,
      fp,
      fn,
      inputErrors: report.errors.map((e) => ({ file: e.file, line: e.line, message: e.message })),
    });
  }
  return results;
}

/** Precision and recall per rule and overall, the false input errors and the false errors. */
export function summarize(results) {
  const perRule = new Map();
  const bump = (rule, k) => {
    const r = perRule.get(rule) ?? { tp: 0, fp: 0, fn: 0 };
    r[k]++;
    perRule.set(rule, r);
  };
  for (const r of results) {
    for (const x of r.tp) bump(x.rule, 'tp');
    for (const x of r.fp) bump(x.rule, 'fp');
    for (const x of r.fn) bump(x.rule, 'fn');
  }
  const ratio = (a, b) => (b === 0 ? 1 : a / b);
  const rules = [...perRule.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, c]) => ({ rule, ...c, precision: ratio(c.tp, c.tp + c.fp), recall: ratio(c.tp, c.tp + c.fn) }));
  const tot = rules.reduce((a, r) => ({ tp: a.tp + r.tp, fp: a.fp + r.fp, fn: a.fn + r.fn }), { tp: 0, fp: 0, fn: 0 });
  return {
    files: results.reduce((n, r) => n + r.files, 0),
    units: results.length,
    rules,
    overall: { ...tot, precision: ratio(tot.tp, tot.tp + tot.fp), recall: ratio(tot.tp, tot.tp + tot.fn) },
    falseInputErrors: results.flatMap((r) => r.inputErrors),
    falseErrors: results.flatMap((r) => r.fp.filter((f) => f.severity === 'error')),
    misses: results.flatMap((r) => r.fn),
    falsePositives: results.flatMap((r) => r.fp),
  };
}
