/**
 * The CLI end to end, as a user runs it: `node bin/persistguard.js …` in a child process, judged by
 * exit code, stdout and stderr. `npm test` builds first; run alone, the build is made here if missing.
 */
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Each test starts Node processes; on a loaded CI machine that takes seconds, not milliseconds.
jest.setTimeout(90_000);

const repoRoot = resolve(import.meta.dirname, '../..');
const bin = join(repoRoot, 'bin/persistguard.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...opts.env };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not the CLI's business
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input ?? '',
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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
  if (!existsSync(join(repoRoot, 'build/cli/run.js'))) {
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
  test('text output: file:line:col, severity, rule, message, remediation; exit 1', () => {
    const r = run(['scan', '--no-color', 'k8s'], { cwd: join(work, 'repo') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^k8s\/portal\.yaml$/m);
    expect(r.stdout).toMatch(/^ {2}k8s\/portal\.yaml:19:22 {2}error {4}data-path-pvc {2}\S/m);
    expect(r.stdout).toMatch(/^ {6}Deployment web\/portal, container portal, path \/app\/data/m);
    expect(r.stdout).toMatch(/^ {6}fix: /m);
    expect(r.stdout).toMatch(/1 error \(1 file, 1 resource scanned\)\./);
    expect(r.stdout).not.toContain('\u001b[');
  });

  test('default path is the working directory', () => {
    const r = run(['scan'], { cwd: join(work, 'repo') });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('k8s/portal.yaml:19:22');
  });

  test('--format json is the ScanReport contract', () => {
    const r = run(['scan', '--format', 'json', 'k8s'], { cwd: join(work, 'repo') });
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

  test('--output writes the report to a file and a summary to stderr', () => {
    const out = join(work, 'reports', 'scan.json');
    const r = run(['scan', '--format', 'json', '--output', out, 'k8s'], { cwd: join(work, 'repo') });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('wrote');
    expect((JSON.parse(readFileSync(out, 'utf8')) as { findings: unknown[] }).findings).toHaveLength(1);
  });

  test('stdin: cat file | persistguard scan -', () => {
    const r = run(['scan', '--format', 'json', '-'], { cwd: join(work, 'clean'), input: BROKEN_DEPLOYMENT });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: { file: string; line: number; ruleId: string }[] };
    expect(report.findings[0]).toMatchObject({ file: '<stdin>', line: 19, ruleId: 'data-path-pvc' });
  });

  test('--fail-on: warnings pass by default, fail with warning, nothing fails with never', () => {
    const cwd = join(work, 'warn');
    expect(run(['scan'], { cwd }).code).toBe(0);
    expect(run(['scan', '--fail-on', 'warning'], { cwd }).code).toBe(1);
    expect(run(['scan', '--fail-on', 'never'], { cwd: join(work, 'repo') }).code).toBe(0);
  });

  test('a clean repository exits 0 with a summary', () => {
    const r = run(['scan'], { cwd: join(work, 'clean') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No data-loss risks found');
  });

  test('a bad config exits 2 with file:line:col on stderr, and the findings are still printed', () => {
    const dir = join(work, 'badconfig');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, 'portal.yaml'), BROKEN_DEPLOYMENT);
    writeFileSync(join(dir, '.persistguard.yaml'), 'target: auto\nrules:\n  data-path-pvc: fatal\n');
    const r = run(['scan', '--no-color'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.persistguard.yaml:3:18: rules.data-path-pvc: must be one of off, error, warning');
    expect(r.stdout).toContain('portal.yaml:19:22');
  });

  test('--config names the file explicitly; a missing one is exit 2', () => {
    const cfg = join(work, 'off.yaml');
    writeFileSync(cfg, 'rules:\n  data-path-pvc: off\n');
    expect(run(['scan', '--config', cfg], { cwd: join(work, 'repo') }).code).toBe(0);
    const missing = run(['scan', '--config', 'nope.yaml'], { cwd: join(work, 'repo') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: cannot read config file: no such file');
  });

  test('an invalid input file exits 2, names the file and line, and the other files are still scanned', () => {
    const dir = join(work, 'badinput');
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, 'portal.yaml'), BROKEN_DEPLOYMENT);
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n');
    const r = run(['scan', '--no-color'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/broken\.yaml:\d+/);
    expect(r.stdout).toContain('portal.yaml:19:22');
  });

  test('a path that does not exist is an input error (exit 2)', () => {
    const r = run(['scan', 'no/such/dir'], { cwd: join(work, 'clean') });
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toContain('no/such/dir');
  });

  test('colour on request (FORCE_COLOR), never with --no-color or NO_COLOR', () => {
    const cwd = join(work, 'repo');
    expect(run(['scan'], { cwd, env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[31m');
    expect(run(['scan', '--no-color'], { cwd, env: { FORCE_COLOR: '1' } }).stdout).not.toContain('\u001b[');
    expect(run(['scan'], { cwd, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toContain('\u001b[');
  });

  test('usage errors exit 2: unknown flag, bad --format, bad --fail-on', () => {
    const bogus = run(['scan', '--bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("Unknown option '--bogus'");
    const fmt = run(['scan', '--format', 'jsno']);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain("(did you mean 'json'?)");
    expect(run(['scan', '--fail-on', 'sometimes']).code).toBe(2);
  });

  test('--target overrides the detected target (k3s signals in build.sh)', () => {
    const story = join(repoRoot, 'examples/001-k3s-sqlite-local-images/broken');
    const rules = (target: string) =>
      (
        JSON.parse(run(['scan', '--format', 'json', '--target', target, story]).stdout) as {
          findings: { ruleId: string }[];
        }
      ).findings.map((f) => f.ruleId);
    expect(rules('auto')).toContain('k3s-image-import');
    expect(rules('kubernetes')).not.toContain('k3s-image-import');
    expect(run(['scan', '--target', 'nomad']).code).toBe(2);
  });

  test('--help exits 0 and lists the flags', () => {
    const r = run(['scan', '--help']);
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
  const ids = [
    'data-path-pvc',
    'sqlite-in-tmp',
    'k3s-image-import',
    'pvc-missing',
    'rwo-shared-claim',
    'sqlite-shared-volume',
    'reclaim-delete',
    'readonly-data-mount',
    'data-not-carried-over',
    'mount-hides-image-files',
  ];

  test('rules lists every rule with its default severity', () => {
    const r = run(['rules']);
    expect(r.code).toBe(0);
    for (const id of ids) expect(r.stdout).toMatch(new RegExp(`^${id} +(error|warning) +\\S`, 'm'));
  });

  test('rules --format json', () => {
    const rows = JSON.parse(run(['rules', '--format', 'json']).stdout) as {
      id: string;
      defaultSeverity: string;
      docs: string;
    }[];
    expect(rows.map((x) => x.id).sort()).toEqual([...ids].sort());
    expect(rows.every((x) => x.docs.endsWith(`docs/rules/${x.id}.md`))).toBe(true);
  });

  test('explain data-path-pvc: rationale, bad and good example, fix, docs link', () => {
    const r = run(['explain', 'data-path-pvc']);
    expect(r.code).toBe(0);
    for (const heading of ['Why it matters', 'Bad', 'Good', 'How to fix'])
      expect(r.stdout).toMatch(new RegExp(`^${heading}$`, 'm'));
    expect(r.stdout).toContain('docs/rules/data-path-pvc.md');
  });

  test('explain of an unknown rule exits 2 and suggests the closest id', () => {
    const r = run(['explain', 'data-path-pcv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'data-path-pvc'?");
  });

  test('unknown command exits 2 with the usage', () => {
    const r = run(['scna']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'scna'");
  });
});
