// The line scan against the CST path at corpus scale (the jest test `test/locate/line-scan.test.ts` does the same
// on the repository's corpora and small generated ones): for every document of every YAML/JSON file under the
// given folders, every path to every node plus paths that do not exist, located by `createLocator()` (line scan
// first) and `createLocator({ lineScan: false })` (CST first, as before); any difference is printed and makes
// the exit code 1. Run from the repo root after `npm run build`:
//   node bench/scan/locate-diff.mjs DIR... (e.g. /tmp/c40all examples ../shared/corpus)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const build = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/policies');
const { splitDocuments } = await import(path.join(build, 'load/parse/yaml.js'));
const { createLocator } = await import(path.join(build, 'locate/locate.js'));
const { scanDocument, scanRange } = await import(path.join(build, 'locate/line-scan.js'));

function paths(value, pre, out) {
  if (out.length > 5000) return;
  out.push(pre);
  if (Array.isArray(value)) {
    value.forEach((x, i) => paths(x, [...pre, i], out));
    out.push([...pre, value.length], [...pre, 'x']);
  } else if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) paths(value[k], [...pre, k], out);
    out.push([...pre, 'missing', 0], [...pre, 0]);
  } else out.push([...pre, 'missing']);
}

const t = { files: 0, docs: 0, indexed: 0, probes: 0, answered: 0, mismatches: 0 };
for (const root of process.argv.slice(2)) {
  if (!existsSync(root)) continue;
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.includes('node_modules'))
    .sort();
  for (const f of files) {
    const file = path.join(root, f);
    let raws;
    try {
      raws = splitDocuments(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    t.files++;
    raws.forEach((raw, index) => {
      t.docs++;
      const doc = { file, index, text: raw.text, lineOffset: raw.lineOffset };
      const idx = scanDocument(raw.text);
      if (idx) t.indexed++;
      let value;
      try {
        value = parse(raw.text, { merge: false, uniqueKeys: false, maxAliasCount: -1, logLevel: 'silent' });
      } catch {
        value = undefined;
      }
      const ps = [];
      paths(value, [], ps);
      const withScan = createLocator();
      const cstFirst = createLocator({ lineScan: false });
      for (const p of ps) {
        const at = { kind: 'node', doc, path: p };
        const a = JSON.stringify(withScan(at));
        const b = JSON.stringify(cstFirst(at));
        t.probes++;
        if (idx && scanRange(idx, p)) t.answered++;
        if (a !== b) {
          t.mismatches++;
          if (t.mismatches <= 20) console.log(`MISMATCH ${file}#${index} ${JSON.stringify(p)}: ${a} ≠ ${b}`);
        }
      }
    });
  }
}
console.log(t);
process.exitCode = t.mismatches === 0 ? 0 : 1;
