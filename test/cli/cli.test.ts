/**
 * The CLI end to end, as a user runs it: argv in, exit code, stdout and stderr out. Most cases run in-process
 * through `main(argv, io)` (no Node start per case); the last block spawns `bin/persistguard.js` for what only a
 * real process shows (bin wiring, process exit code, stdin, colour from the environment).
 */
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allRules } from '../../policies/index.js';
import { binBuilt, repoRoot, runBin, runCli as run } from '../support/cli.js';

// The spawned cases start Node processes; on a loaded CI machine that takes seconds, not milliseconds.
jest.setTimeout(90_000);

const BROKEN_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: portal
  namespace: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: portal}
  template:
    metadata:
      labels: {app: portal}
    spec:
      containers:
        - name: portal
          image: ghcr.io/acme/portal:1.0.0
          env:
            - name: DATA_DIR
              value: /app/data
`;

const CACHE_ONLY_COMPOSE = `services:
  web:
    image: ghcr.io/acme/web:2.0.0
    environment:
      CACHE_DIR: /app/cache
`;

let work: string;

beforeAll(() => {
  if (!binBuilt()) {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: repoRoot,
      stdio: 'ignore',
    });
  }
  work = mkdtempSync(join(tmpdir(), 'pg-cli-'));
  mkdirSync(join(work, 'repo', '.git'), { recursive: true });
  mkdirSync(join(work, 'repo', 'k8s'), { recursive: true });
  writeFileSync(join(work, 'repo', 'k8s', 'portal.yaml'), BROKEN_DEPLOYMENT);
  mkdirSync(join(work, 'warn', '.git'), { recursive: true });
  writeFileSync(join(work, 'warn', 'compose.yaml'), CACHE_ONLY_COMPOSE);
  mkdirSync(join(work, 'clean', '.git'), { recursive: true });
  writeFileSync(join(work, 'clean', 'README.md'), '# nothing to scan\n');
}, 120_000);

describe('persistguard scan', () => {
  test('text output: file header, line:col, severity, rule, message, remediation; exit 1', async () => {
    const r = await run(['scan', '--no-color', 'k8s'], { cwd: join(work, 'repo') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^k8s\/portal\.yaml$/m);
    expect(r.stdout).toMatch(/^ {2}19:22 {2}error {4}data-path-pvc {2}\S/m);
    expect(r.stdout).toMatch(/^ {6}Deployment web\/portal, container portal, path \/app\/data/m);
    expect(r.stdout).toMatch(/^ {6}fix: /m);
    expect(r.stdout).toMatch(/1 error \(1 file, 1 resource scanned\)\./);
    expect(r.stdout).not.toContain('\u001b[');
  });

  test('default path is the working directory', async () => {
    const r = await run(['scan'], { cwd: join(work, 'repo') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^k8s\/portal\.yaml\n {2}19:22 /m);
  });

  test('--format json is the ScanReport contract', async () => {
    const r = await run(['scan', '--format', 'json', 'k8s'], { cwd: join(work, 'repo') });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['tool', 'findings', 'errors', 'summary']);
    expect(report.tool).toEqual({ name: 'persistguard', version: expect.any(String) });
    expect(report.summary).toEqual({ files: 1, resources: 1, errors: 1, warnings: 0, suppressed: 0 });
    const [f] = report.findings as Record<string, unknown>[];
    expect(Object.keys(f ?? {})).toEqual(
      expect.arrayContaining([
        'ruleId',
        'severity',
        'message',
        'file',
        'line',
        'column',
        'resource',
        'container',
        'path',
        'remediation',
        'suppressed',
      ]),
    );
    expect(f).toMatchObject({
      ruleId: 'data-path-pvc',
      severity: 'error',
      file: 'k8s/portal.yaml',
      line: 19,
      column: 22,
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'portal' },
      container: 'portal',
      path: '/app/data',
      suppressed: false,
    });
    expect(report.errors).toEqual([]);
  });

  test('--output writes the report to a file and a summary to stderr', async () => {
    const out = join(work, 'reports', 'scan.json');
    const r = await run(['scan', '--format', 'json', '--output', out, 'k8s'], { cwd: join(work, 'repo') });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('wrote');
    expect((JSON.parse(readFileSync(out, 'utf8')) as { findings: unknown[] }).findings).toHaveLength(1);
  });

  test('stdin: cat file | persistguard scan -', async () => {
    const r = await run(['scan', '--format', 'json', '-'], { cwd: join(work, 'clean'), input: BROKEN_DEPLOYMENT });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: { file: string; line: number; ruleId: string }[] };
    expect(report.findings[0]).toMatchObject({ file: '<stdin>', line: 19, ruleId: 'data-path-pvc' });
  });

  test('--fail-on: warnings pass by default, fail with warning, nothing fails with never', async () => {
    const cwd = join(work, 'warn');
    expect((await run(['scan'], { cwd })).code).toBe(0);
    expect((await run(['scan', '--fail-on', 'warning'], { cwd })).code).toBe(1);
    expect((await run(['scan', '--fail-on', 'never'], { cwd: join(work, 'repo') })).code).toBe(0);
  });

  test('a clean repository exits 0 with a summary', async () => {
    const r = await run(['scan'], { cwd: join(work, 'clean') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No data-loss risks found');
  });

  test('a bad config exits 2 with file:line:col on stderr, and the findings are still printed', async () => {
    const dir = join(work, 'badconfig');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, 'portal.yaml'), BROKEN_DEPLOYMENT);
    writeFileSync(join(dir, '.persistguard.yaml'), 'target: auto\nrules:\n  data-path-pvc: fatal\n');
    const r = await run(['scan', '--no-color'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.persistguard.yaml:3:18: rules.data-path-pvc: must be one of off, error, warning');
    expect(r.stdout).toMatch(/portal\.yaml\n {2}19:22 /);
  });

  test('--config names the file explicitly; a missing one is exit 2', async () => {
    const cfg = join(work, 'off.yaml');
    writeFileSync(cfg, 'rules:\n  data-path-pvc: off\n');
    expect((await run(['scan', '--config', cfg], { cwd: join(work, 'repo') })).code).toBe(0);
    const missing = await run(['scan', '--config', 'nope.yaml'], { cwd: join(work, 'repo') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: cannot read config file: no such file');
  });

  test('an invalid input file exits 2, names the file and line, and the other files are still scanned', async () => {
    const dir = join(work, 'badinput');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, 'portal.yaml'), BROKEN_DEPLOYMENT);
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n');
    const r = await run(['scan', '--no-color'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/broken\.yaml:\d+/);
    expect(r.stdout).toMatch(/portal\.yaml\n {2}19:22 /);
  });

  test('a path that does not exist is an input error (exit 2)', async () => {
    const r = await run(['scan', 'no/such/dir'], { cwd: join(work, 'clean') });
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toContain('no/such/dir');
  });

  test('colour on request (FORCE_COLOR), never with --no-color or NO_COLOR', async () => {
    const cwd = join(work, 'repo');
    expect((await run(['scan'], { cwd, env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[31m');
    expect((await run(['scan', '--no-color'], { cwd, env: { FORCE_COLOR: '1' } })).stdout).not.toContain('\u001b[');
    expect((await run(['scan'], { cwd, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
  });

  test('usage errors exit 2: unknown flag, bad --format, bad --fail-on', async () => {
    const bogus = await run(['scan', '--bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("unknown option '--bogus'");
    const fmt = await run(['scan', '--format', 'jsno']);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain("(did you mean 'json'?)");
    expect((await run(['scan', '--fail-on', 'sometimes'])).code).toBe(2);
  });

  test('--target overrides the detected target (k3s signals in build.sh)', async () => {
    const story = join(repoRoot, 'examples/001-k3s-sqlite-local-images/broken');
    const rules = async (target: string) =>
      (
        JSON.parse((await run(['scan', '--format', 'json', '--target', target, story])).stdout) as {
          findings: { ruleId: string }[];
        }
      ).findings.map((f) => f.ruleId);
    expect(await rules('auto')).toContain('k3s-image-import');
    expect(await rules('kubernetes')).not.toContain('k3s-image-import');
    expect((await run(['scan', '--target', 'nomad'])).code).toBe(2);
  });

  test('--help exits 0 and lists the flags', async () => {
    const r = await run(['scan', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--config',
      '--format',
      '--output',
      '--fail-on',
      '--target',
      '--no-color',
      '--policy-report-api',
    ])
      expect(r.stdout).toContain(flag);
  });
});

describe('persistguard rules and explain', () => {
  // Every rule of the registry, so a new rule needs no edit here.
  const ids = allRules.map((r) => r.meta.id);

  test('rules lists every rule with its default severity', async () => {
    const r = await run(['rules']);
    expect(r.code).toBe(0);
    for (const id of ids) expect(r.stdout).toMatch(new RegExp(`^${id} +(error|warning) +\\S`, 'm'));
  });

  test('rules --format json', async () => {
    const rows = JSON.parse((await run(['rules', '--format', 'json'])).stdout) as {
      id: string;
      defaultSeverity: string;
      docs: string;
    }[];
    expect(rows.map((x) => x.id).sort()).toEqual([...ids].sort());
    expect(rows.every((x) => x.docs.endsWith(`docs/rules/${x.id}.md`))).toBe(true);
  });

  test('explain data-path-pvc: rationale, bad and good example, fix, docs link', async () => {
    const r = await run(['explain', 'data-path-pvc']);
    expect(r.code).toBe(0);
    for (const heading of ['Why it matters', 'Bad', 'Good', 'How to fix'])
      expect(r.stdout).toMatch(new RegExp(`^${heading}$`, 'm'));
    expect(r.stdout).toContain('docs/rules/data-path-pvc.md');
  });

  test('explain of an unknown rule exits 2 and suggests the closest id', async () => {
    const r = await run(['explain', 'data-path-pcv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'data-path-pvc'?");
  });

  test('unknown command exits 2 with the usage', async () => {
    const r = await run(['scna']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'scna'");
  });
});

describe('bin/persistguard.js (spawned: what only a real process shows)', () => {
  test('findings: exit code 1 from the process, report on stdout', () => {
    const r = runBin(['scan', '--no-color', 'k8s'], { cwd: join(work, 'repo') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^k8s\/portal\.yaml$/m);
    expect(r.stdout).toMatch(/^ {2}19:22 {2}error/m);
  });

  test('stdin is read from the process: cat file | persistguard scan -', () => {
    const r = runBin(['scan', '--format', 'json', '-'], { cwd: join(work, 'clean'), input: BROKEN_DEPLOYMENT });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: { file: string }[] }).findings[0]?.file).toBe('<stdin>');
  });

  test('colour follows FORCE_COLOR / NO_COLOR from the process environment', () => {
    const cwd = join(work, 'repo');
    expect(runBin(['scan'], { cwd, env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[31m');
    expect(runBin(['scan'], { cwd, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toContain('\u001b[');
  });

  test('usage errors and --version', () => {
    expect(runBin(['scna']).code).toBe(2);
    expect(runBin(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
