/**
 * `persistguard scan --base REF` end to end on real temporary git repositories (git is the real binary):
 * the change is judged against the ref, read with git plumbing, while a plain scan judges the final state.
 */
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commitTree, git } from '../support/git.js';

jest.setTimeout(90_000);

const repoRoot = resolve(import.meta.dirname, '../..');
const bin = join(repoRoot, 'bin/persistguard.js');
const story = join(repoRoot, 'examples/001-k3s-sqlite-local-images');

function scan(cwd: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [bin, 'scan', ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonFinding {
  ruleId: string;
  path?: string;
  file: string;
  message: string;
  remediation: string;
}

function carried(cwd: string, args: string[]): JsonFinding[] {
  const r = scan(cwd, [...args, '--format', 'json', '--fail-on', 'never']);
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.filter(
    (f) => f.ruleId === 'data-not-carried-over',
  );
}

function newRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'pg-cli-base-'));
  git(repo, 'init', '-q', '-b', 'main');
  return repo;
}

function writeTree(dir: string, files: Record<string, string>): string {
  rmSync(dir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'build/cli/run.js'))) {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: repoRoot,
      stdio: 'ignore',
    });
  }
});

describe('seed 001: the pull request that added the claims', () => {
  const repo = newRepo();
  const unannotated = mkdtempSync(join(tmpdir(), 'pg-001-pr-'));
  beforeAll(() => {
    commitTree(repo, join(story, 'broken'), 'before: SQLite in /tmp and in the container filesystem');
    // The broken pull request: the fixed manifests without the record of a migration.
    cpSync(join(story, 'fixed'), unannotated, { recursive: true });
    for (const f of ['k3s/meds.yaml', 'k3s/financial.yaml']) {
      const p = join(unannotated, f);
      writeFileSync(p, readFileSync(p, 'utf8').replace(/\n\s+persistguard\.io\/data-migrated: .*/, ''));
    }
    commitTree(repo, unannotated, 'add claims at /data');
  });

  test('is caught: both services strand their data, with a recipe', () => {
    const found = carried(repo, ['.', '--base', 'HEAD~1']);
    expect(found.map((f) => `${f.file} ${f.path}`).sort()).toEqual(['k3s/financial.yaml /data', 'k3s/meds.yaml /data']);
    const meds = found.find((f) => f.file === 'k3s/meds.yaml') as JsonFinding;
    expect(meds.message).toContain('/data/meds.db in the container filesystem');
    expect(meds.message).toContain('PVC "meds-data-pvc"');
    expect(meds.remediation).toContain(
      'kubectl -n kilo exec deployment/kilo-meds -- tar cf - -C /data . > kilo-meds-data.tar',
    );
    expect(meds.remediation).toContain('persistguard.io/data-migrated');
    const financial = found.find((f) => f.file === 'k3s/financial.yaml') as JsonFinding;
    expect(financial.message).toContain('/tmp/financial.db (env DATABASE_URL)');
    expect(financial.remediation).toContain("-- sh -c 'cat > /data/financial.db'");
  });

  test('a plain scan (no base) judges the final state only: no data-not-carried-over', () => {
    expect(carried(repo, ['.'])).toEqual([]);
  });

  test('the fixed pull request records the migration and passes (exit 0)', () => {
    commitTree(repo, join(story, 'fixed'), 'carry the data over, and say so');
    expect(carried(repo, ['.', '--base', 'HEAD~2'])).toEqual([]);
    expect(scan(repo, ['.', '--base', 'HEAD~2']).code).toBe(0);
  });
});

const DEPLOY = (mount: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ledger, namespace: shop }
spec:
  selector: { matchLabels: { app: ledger } }
  template:
    metadata: { labels: { app: ledger } }
    spec:
      containers:
        - name: ledger
          image: ghcr.io/acme/ledger:1.4
          env:
            - { name: DATABASE_URL, value: "sqlite:////data/ledger.db" }
${mount ? '          volumeMounts: [{ name: data, mountPath: /data }]\n      volumes:\n        - { name: data, persistentVolumeClaim: { claimName: ledger-data } }\n' : ''}`;

const STS = (template: string, tag: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: pg, namespace: shop }
spec:
  serviceName: pg
  selector: { matchLabels: { app: pg } }
  template:
    metadata: { labels: { app: pg } }
    spec:
      containers:
        - name: postgres
          image: postgres:${tag}
          volumeMounts: [{ name: ${template}, mountPath: /var/lib/postgresql/data }]
  volumeClaimTemplates:
    - metadata: { name: ${template} }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 5Gi } } }
`;

const COMPOSE = (project: string) => `name: ${project}
services:
  redis:
    image: redis:7
    command: [redis-server, --appendonly, "yes"]
    volumes: [redisdata:/data]
volumes:
  redisdata: {}
`;

const CACHE = `apiVersion: apps/v1
kind: Deployment
metadata: { name: untouched, namespace: shop }
spec:
  selector: { matchLabels: { app: untouched } }
  template:
    metadata: { labels: { app: untouched } }
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/untouched:1
          env: [{ name: APP_DATA_DIR, value: /srv }]
          volumeMounts: [{ name: d, mountPath: /srv }]
      volumes: [{ name: d, persistentVolumeClaim: { claimName: untouched } }]
`;

describe('one change with the three stories of the issue', () => {
  const repo = newRepo();
  const work = mkdtempSync(join(tmpdir(), 'pg-three-'));
  beforeAll(() => {
    const base = {
      'deploy/ledger.yaml': DEPLOY(false),
      'deploy/pg.yaml': STS('data', '16'),
      'deploy/untouched.yaml': CACHE,
      'compose/docker-compose.yml': COMPOSE('shop'),
    };
    commitTree(repo, writeTree(join(work, 'a'), base), 'base');
    const head = {
      ...base,
      'deploy/ledger.yaml': DEPLOY(true),
      'deploy/pg.yaml': STS('pgdata', '16'),
      'compose/docker-compose.yml': COMPOSE('storefront'),
    };
    commitTree(repo, writeTree(join(work, 'b'), head), 'head');
  });

  test('each one is reported, and nothing for the unchanged workload', () => {
    const found = carried(repo, ['.', '--base', 'main~1']);
    expect(found.map((f) => `${f.file} ${f.path}`).sort()).toEqual([
      'compose/docker-compose.yml /data',
      'deploy/ledger.yaml /data',
      'deploy/pg.yaml /var/lib/postgresql/data',
    ]);
    expect(found.find((f) => f.file.startsWith('compose'))?.message).toContain(
      'compose project renamed from "shop" to "storefront"',
    );
    expect(found.find((f) => f.file === 'deploy/pg.yaml')?.message).toContain(
      'volumeClaimTemplate renamed from "data" to "pgdata"',
    );
  });

  test('no base: none of them', () => {
    expect(carried(repo, ['.'])).toEqual([]);
  });

  test('from a subfolder, paths and the base follow the working directory', () => {
    const found = carried(join(repo, 'deploy'), ['.', '--base', 'HEAD~1']);
    expect(found.map((f) => f.file).sort()).toEqual(['ledger.yaml', 'pg.yaml']);
  });

  test('the base is the same commit: nothing changes, nothing reported', () => {
    expect(carried(repo, ['.', '--base', 'HEAD'])).toEqual([]);
  });

  test('the rule can be raised to error in config: the change then fails the scan', () => {
    writeFileSync(join(repo, '.persistguard.yaml'), 'rules:\n  data-not-carried-over: error\n');
    try {
      const r = scan(repo, ['.', '--base', 'HEAD~1']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/error\s+data-not-carried-over/);
    } finally {
      rmSync(join(repo, '.persistguard.yaml'));
    }
  });
});

describe('bad --base input is a usage error naming the problem', () => {
  test('an unknown ref', () => {
    const repo = newRepo();
    commitTree(repo, writeTree(mkdtempSync(join(tmpdir(), 'pg-x-')), { 'a.yaml': CACHE }), 'one');
    const r = scan(repo, ['.', '--base', 'origin/nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--base origin/nope: no such commit');
  });

  test('outside a git repository', () => {
    const dir = writeTree(mkdtempSync(join(tmpdir(), 'pg-nogit-')), { 'a.yaml': CACHE });
    const r = scan(dir, ['.', '--base', 'main']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not inside a git repository');
  });

  test('without git on PATH the error says so', () => {
    const repo = newRepo();
    const r = spawnSync(process.execPath, [bin, 'scan', '.', '--base', 'main'], {
      cwd: repo,
      env: { PATH: '/nonexistent', NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('git is not installed');
  });

  test('an option-looking ref is refused, never passed to git', () => {
    const repo = newRepo();
    commitTree(repo, writeTree(mkdtempSync(join(tmpdir(), 'pg-y-')), { 'a.yaml': CACHE }), 'one');
    const r = scan(repo, ['.', '--base=--output=/tmp/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a git ref');
  });
});
