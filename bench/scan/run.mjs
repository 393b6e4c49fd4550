// Scan benchmark: a generated 10,000-document corpus, the full CLI scan as a child process, and two parse
// floors measured in the same run on the same files. Run from the repo root after `npx tsc -p tsconfig.build.json`:
//   node bench/scan/run.mjs [--docs 10000] [--runs 3] [--keep]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';
import jsYaml from 'js-yaml';
import { generate } from './generate.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const DOCS = Number(arg('docs', 10_000));
const RUNS = Math.max(3, Number(arg('runs', 3)));
const keep = process.argv.includes('--keep');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Floor 1: the positioned `yaml` AST for every document, then plain JS. */
function yamlFloor(files) {
  let docs = 0;
  for (const f of files) {
    for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) {
      d.toJS();
      docs++;
    }
  }
  return docs;
}

/** Floor 2: js-yaml `loadAll` (no positions). */
function jsYamlFloor(files) {
  let docs = 0;
  for (const f of files) jsYaml.loadAll(readFileSync(f, 'utf8'), () => docs++);
  return docs;
}

function timeIt(fn) {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

/** The CLI as users run it; peak RSS from GNU time when present, else polled from /proc (VmHWM). */
function scanChild(dir) {
  return new Promise((resolve) => {
    const cliArgs = [path.join(repoRoot, 'bin/persistguard.js'), 'scan', dir, '--format', 'json', '--fail-on', 'never'];
    const useTime = existsSync('/usr/bin/time');
    const cmd = useTime ? '/usr/bin/time' : process.execPath;
    const args = useTime ? ['-f', 'PG_MAXRSS_KB=%M', process.execPath, ...cliArgs] : cliArgs;
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hwm = 0;
    const poll = useTime
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm, Number(m[1]));
          } catch {
            /* exited */
          }
        }, 5);
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (poll) clearInterval(poll);
      const m = /PG_MAXRSS_KB=(\d+)/.exec(stderr);
      if (m) hwm = Number(m[1]);
      let report;
      try {
        report = JSON.parse(stdout);
      } catch {
        report = undefined;
      }
      resolve({ ms, code, rssKB: hwm, report, stderr: stderr.replace(/PG_MAXRSS_KB=\d+\s*/, '').trim() });
    });
  });
}

/** In-process: the compiled loaders + report, without process start-up (what the child spends its time on). */
async function inProcess(dir) {
  const loaders = path.join(repoRoot, 'build/policies/load/index.js');
  const scan = path.join(repoRoot, 'build/policies/engine/scan.js');
  const types = path.join(repoRoot, 'build/policies/config/types.js');
  if (!existsSync(loaders)) return undefined;
  const { loadPaths } = await import(loaders);
  const { reportProject } = existsSync(scan) ? await import(scan) : {};
  const { defaultConfig } = await import(types);
  return async () => {
    const t0 = performance.now();
    const project = await loadPaths(['.'], { cwd: dir });
    const tLoad = performance.now() - t0;
    let findings;
    let reportError;
    try {
      findings = reportProject ? reportProject(project, { config: defaultConfig() }).findings.length : undefined;
    } catch (err) {
      reportError = String(err?.message ?? err);
    }
    return {
      ms: performance.now() - t0,
      loadMs: tLoad,
      errors: project.errors.length,
      workloads: project.workloads.length,
      findings,
      reportError,
    };
  };
}

const fmt = (docs, ms) => `${Math.round(docs / (ms / 1000)).toLocaleString('en-US')} docs/s (${ms.toFixed(0)} ms)`;

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-bench-scan-'));
  const { files, docs } = generate(dir, { docs: DOCS });
  const list = listFiles(dir);
  console.log(`corpus: ${docs} documents in ${files} files under ${dir} (node ${process.version})`);

  const rows = { yaml: [], jsyaml: [], child: [], inproc: [], load: [] };
  let last;
  let lastIn;
  const runIn = await inProcess(dir);
  for (let i = 0; i < RUNS; i++) {
    const y = timeIt(() => yamlFloor(list));
    if (y.result !== docs) throw new Error(`yaml floor saw ${y.result} documents, expected ${docs}`);
    rows.yaml.push(y.ms);
    const j = timeIt(() => jsYamlFloor(list));
    rows.jsyaml.push(j.ms);
    last = await scanChild(dir);
    rows.child.push(last.ms);
    if (runIn) {
      lastIn = await runIn();
      rows.inproc.push(lastIn.ms);
      rows.load.push(lastIn.loadMs);
    }
  }
  const yamlMs = median(rows.yaml);
  console.log(`floor 1  yaml parseAllDocuments + toJS : ${fmt(docs, yamlMs)}`);
  console.log(`floor 2  js-yaml loadAll               : ${fmt(docs, median(rows.jsyaml))}`);
  const childOk = last && last.report && Array.isArray(last.report.findings);
  if (childOk) {
    const childMs = median(rows.child);
    console.log(
      `scan     node bin/persistguard.js scan DIR --format json (whole process): ${fmt(docs, childMs)}; peak RSS ${(last.rssKB / 1024).toFixed(0)} MB`,
    );
    console.log(
      `         findings ${last.report.findings.length}, errors ${last.report.errors?.length ?? '?'}, exit ${last.code}`,
    );
    console.log(`ratio    scan / yaml floor (time): ${(childMs / yamlMs).toFixed(2)}  (aim: <= 1.3)`);
  } else {
    console.log(
      `scan     CLI child process did not produce a JSON report (exit ${last?.code}): ${last?.stderr.split('\n').slice(0, 3).join(' | ')}`,
    );
  }
  if (runIn && lastIn) {
    const inMs = median(rows.inproc);
    console.log(
      `in-process loadPaths only: ${fmt(docs, median(rows.load))}; loadPaths + reportProject: ${fmt(docs, inMs)}${lastIn.findings !== undefined ? `, ${lastIn.findings} findings` : ''}${lastIn.reportError ? ` (reportProject failed: ${lastIn.reportError})` : ''}`,
    );
    console.log(
      `         load errors ${lastIn.errors}, workloads ${lastIn.workloads}; ratio in-process/yaml floor: ${(inMs / yamlMs).toFixed(2)}`,
    );
  }
  console.log(`runs: ${RUNS} (median shown)`);
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

await main();
