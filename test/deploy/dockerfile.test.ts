/**
 * The Dockerfile, checked without a Docker engine (none runs here): its instructions are read, the runtime
 * stage's file layout is rebuilt from its COPY lines in a temporary folder, and the ENTRYPOINT is run
 * there with the real node binary, with the image's CMD and with CLI commands.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, repoPath } from '../support/repo.js';

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Instructions with line continuations joined, ARG defaults substituted into FROM lines. */
function parseDockerfile(text: string): { instructions: Instruction[]; stages: { from: string; name?: string }[] } {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const argDefaults: Record<string, string> = {};
  const stages: { from: string; name?: string }[] = [];
  const instructions: Instruction[] = [];
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [k, v] = args.split('=');
      if (k && v) argDefaults[k] = v;
    }
    if (upper === 'FROM') {
      const [image = '', , name] = args.replace(/\$\{(\w+)\}/g, (_m, k: string) => argDefaults[k] ?? '').split(/\s+/);
      stages.push({ from: image, ...(name ? { name } : {}) });
    }
    instructions.push({ op: upper, args, stage: stages.length - 1 });
  }
  return { instructions, stages };
}

const { instructions, stages } = parseDockerfile(readFileSync(repoPath('Dockerfile'), 'utf8'));
const runtime = stages.length - 1;
const inRuntime = (op: string): Instruction[] => instructions.filter((i) => i.op === op && i.stage === runtime);
const jsonArray = (op: string): string[] => JSON.parse(inRuntime(op).at(-1)!.args) as string[];

describe('Dockerfile', () => {
  test('every base image is pinned by digest', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toMatch(/^[\w./:-]+@sha256:[0-9a-f]{64}$/);
  });

  test('the runtime is distroless Node 24 (no shell, npm or corepack); the build stages install with npm ci from the lockfile', () => {
    expect(stages[runtime]!.from).toMatch(/^gcr\.io\/distroless\/nodejs24-debian12:nonroot@/);
    for (const s of stages.slice(0, runtime)) expect(s.from).toMatch(/^node:24-bookworm-slim@/); // same Debian 12
    const runs = instructions.filter((i) => i.op === 'RUN');
    expect(runs.filter((r) => r.stage === runtime)).toEqual([]);
    for (const r of runs.filter((i) => /\bnpm\b/.test(i.args))) expect(r.args).toMatch(/^npm ci\b/);
    const copiesLock = instructions.filter((i) => i.op === 'COPY' && i.args.includes('package-lock.json'));
    expect(copiesLock.length).toBe(runtime); // each build stage
  });

  test('it runs as a non-root uid and exposes the webhook port', () => {
    expect(inRuntime('USER').at(-1)!.args).toBe('10001:10001');
    expect(inRuntime('EXPOSE').map((i) => i.args)).toEqual(['8443']);
  });

  test('every file copied from the build context exists and is not excluded by .dockerignore', () => {
    const ignored = readFileSync(repoPath('.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    const sources = instructions
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'bin', 'policies']));
    for (const s of sources) {
      expect([s, existsSync(repoPath(s))]).toEqual([s, true]);
      expect([s, ignored.includes(s)]).toEqual([s, false]);
    }
  });

  describe('the entrypoint, in the runtime layout rebuilt from the COPY lines (no Docker engine here)', () => {
    let root: string;
    let app: string;

    beforeAll(() => {
      root = mkdtempSync(path.join(tmpdir(), 'pg-image-'));
      app = path.join(root, 'app');
      mkdirSync(app);
      const workdir = inRuntime('WORKDIR').at(-1)!.args;
      expect(workdir).toBe('/app');
      const workdirOf = (stage: string): string =>
        instructions.filter((i) => i.op === 'WORKDIR' && stages[i.stage]?.name === stage).at(-1)!.args;
      for (const copy of inRuntime('COPY')) {
        const parts = copy.args.split(/\s+/);
        const from = /^--from=(\S+)$/.exec(parts[0]!)?.[1];
        const [src, dest] = from ? [parts[1]!, parts[2]!] : [parts[0]!, parts[1]!];
        // `COPY a ./` copies into the folder, `COPY a ./b` copies as b.
        const target = dest.endsWith('/') ? path.join(app, dest, path.basename(src)) : path.join(app, dest);
        if (from === 'deps') {
          // The deps stage holds the production subset of node_modules; the test's node_modules is a superset
          // (test/deploy/package.test.ts proves every runtime import is a production dependency).
          expect(src).toBe(`${workdirOf('deps')}/node_modules`);
          symlinkSync(repoPath('node_modules'), target);
        } else if (from === 'build') {
          // The build stage compiles the context's sources in its WORKDIR; npm test has built them here.
          const rel = path.posix.relative(workdirOf('build'), src);
          expect(rel).toBe('build');
          cpSync(repoPath(rel), target, { recursive: true });
        } else {
          cpSync(repoPath(src), target, { recursive: true });
        }
      }
    });
    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    function runImage(args: string[]): { status: number | null; stdout: string; stderr: string } {
      const [node, ...entry] = jsonArray('ENTRYPOINT');
      expect(node).toBe('/nodejs/bin/node'); // distroless keeps node there
      const mapped = entry.map((a) => (a.startsWith('/app/') ? path.join(app, a.slice('/app/'.length)) : a));
      return spawnSync(process.execPath, [...mapped, ...args], {
        cwd: app,
        encoding: 'utf8',
        env: { PATH: '/nonexistent', NODE_ENV: 'production' },
        timeout: 60_000,
      });
    }

    test('the image CMD is a command line `serve` accepts', () => {
      const cmd = jsonArray('CMD');
      expect(cmd[0]).toBe('serve');
      const r = runImage([...cmd, '--help']);
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/serve/);
    });

    test('`rules` and `scan` run from the copied files alone (no shell, no npm on PATH)', () => {
      const rules = runImage(['rules']);
      expect([rules.status, rules.stderr]).toEqual([0, '']);
      expect(rules.stdout).toMatch(/data-path-pvc/);
      const broken = runImage([
        'scan',
        path.join(REPO_ROOT, 'examples/000-portal-data-dir/broken'),
        '--format',
        'json',
      ]);
      expect(broken.status).toBe(1);
      expect(JSON.parse(broken.stdout).findings[0].ruleId).toBe('data-path-pvc');
    });
  });
});
