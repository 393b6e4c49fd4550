// Scaling table: for each corpus size and findings mix, the whole CLI scan and the `yaml` parse floor, each in its
// own child process (so neither sees the other's heap), timed from the parent and with peak RSS from GNU time
// (or the child's own process.resourceUsage().maxRSS when /usr/bin/time is absent). Run from the repo root after
// `npm run build`:
//   node bench/scan/scale.mjs [--sizes 1000,10000,40000] [--mixes mixed,all] [--runs 3] [--big-runs 1] [--repo DIR]
// `--repo` scans with another checkout's built CLI (a before/after comparison in one session).
// `--big-runs` applies to sizes above 20,000 documents (a 40k run takes tens of seconds on 2 cores).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const self = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(self), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

/** Child mode: the floor, `yaml` parseAllDocuments + toJS of every file (a positioned AST for every document). */
async function floorChild(dir) {
  const { parseAllDocuments } = await import('yaml');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  let docs = 0;
  for (const f of files) {
    for (const d of parseAllDocuments(readFileSync(path.join(dir, f), 'utf8'))) {
      d.toJS();
      docs++;
    }
  }
  process.stderr.write(`PG_DOCS=${docs} PG_SELF_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
}

function runChild(args, cwd) {
  return new Promise((resolve) => {
    const useTime = existsSync('/usr/bin/time');
    const cmd = useTime ? '/usr/bin/time' : process.execPath;
    const full = useTime ? ['-f', 'PG_MAXRSS_KB=%M', process.execPath, ...args] : args;
    const t0 = performance.now();
    const child = spawn(cmd, full, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const m = /PG_MAXRSS_KB=(\d+)/.exec(stderr) ?? /PG_SELF_MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ ms, code, rssKB: m ? Number(m[1]) : NaN, stdout, stderr });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function main() {
  const sizes = arg('sizes', '1000,10000,40000').split(',').map(Number);
  const mixes = arg('mixes', 'mixed,all').split(',');
  const runs = Number(arg('runs', 3));
  const bigRuns = Number(arg('big-runs', 1));
  const cli = path.join(path.resolve(arg('repo', repoRoot)), 'bin/persistguard.js');
  console.log(`${cli}, node ${process.version}; medians of the runs shown; peak RSS is the median of the runs' maxima`);
  console.log(
    '| mix | docs | runs | findings | scan wall | docs/s | scan peak RSS | floor wall | floor peak RSS | scan ÷ floor |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const mix of mixes) {
    for (const docs of sizes) {
      const dir = mkdtempSync(path.join(tmpdir(), `pg-scale-${mix}-${docs}-`));
      generate(dir, { docs, mix });
      const n = docs > 20_000 ? bigRuns : runs;
      const scan = { ms: [], rss: [] };
      const floor = { ms: [], rss: [] };
      let findings = '?';
      for (let i = 0; i < n; i++) {
        const f = await runChild([self, '--floor', dir], dir);
        if (!new RegExp(`PG_DOCS=${docs}\\b`).test(f.stderr)) throw new Error(`floor failed: ${f.stderr}`);
        floor.ms.push(f.ms);
        floor.rss.push(f.rssKB);
        const s = await runChild([cli, 'scan', dir, '--format', 'json', '--fail-on', 'never'], dir);
        if (s.code !== 0) throw new Error(`scan exited ${s.code}: ${s.stderr.slice(0, 500)}`);
        findings = JSON.parse(s.stdout).findings.length;
        scan.ms.push(s.ms);
        scan.rss.push(s.rssKB);
      }
      const sMs = median(scan.ms);
      const fMs = median(floor.ms);
      const mb = (kb) => `${Math.round(kb / 1024)} MB`;
      console.log(
        `| ${mix} | ${docs.toLocaleString('en-US')} | ${n} | ${findings} | ${(sMs / 1000).toFixed(2)} s | ${Math.round(docs / (sMs / 1000)).toLocaleString('en-US')} | ${mb(median(scan.rss))} | ${(fMs / 1000).toFixed(2)} s | ${mb(median(floor.rss))} | ${(sMs / fMs).toFixed(2)} |`,
      );
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === '--floor') await floorChild(process.argv[3]);
else await main();
