/**
 * run() with test doubles of @actions/core and @actions/github (no GitHub runner or API here) and of the
 * engine's reportProject (a hand-built ScanReport, so these tests pin the Action's own behaviour; the
 * real engine runs in dist.test.ts). Files are real: a temporary workspace read by the real loaders.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from './fixtures/core.js';
import * as github from './fixtures/github.js';
import type { Finding, ScanReport } from '../../policies/model/findings.js';
import { finding } from '../report/fixtures.js';

let nextReport: ScanReport;
const reportProject = jest.fn(() => structuredClone(nextReport));

jest.unstable_mockModule('@actions/core', () => core);
jest.unstable_mockModule('@actions/github', () => github);
// With no rendered sets, reportProjects is reportProject (rendering itself is tested in test/render).
const reportProjects = jest.fn((project: unknown, _renders: unknown, opts: unknown) =>
  (reportProject as (p: unknown, o: unknown) => ScanReport)(project, opts),
);
jest.unstable_mockModule('../../policies/engine/scan.js', () => ({
  reportProject,
  reportProjects,
  addRendered: jest.fn(() => []),
  scanPaths: jest.fn(),
}));
const { run } = await import('../../action/main.js');

let ws: string;
let tmp: string;

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  writeFileSync(path.join(ws, rel), text);
}

function report(findings: Finding[], errors: ScanReport['errors'] = []): ScanReport {
  const active = findings.filter((f) => !f.suppressed);
  return {
    tool: { name: 'persistguard', version: '0.1.0' },
    findings,
    errors,
    summary: {
      files: 3,
      resources: 3,
      errors: active.filter((f) => f.severity === 'error').length,
      warnings: active.filter((f) => f.severity === 'warning').length,
      suppressed: findings.length - active.length,
    },
  };
}

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: shop }
spec:
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:16
          volumeMounts: [{ name: data, mountPath: /var/lib/postgresql/data }]
      volumes:
        - name: data
          persistentVolumeClaim: { claimName: db-data }
`;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pg-action-'));
  ws = path.join(tmp, 'ws');
  write('k8s/db.yaml', DEPLOY);
  write(
    'k8s/pvc.yaml',
    'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: db-data, namespace: shop }\nspec: { storageClassName: fast, accessModes: [ReadWriteOnce] }\n',
  );
  write(
    'k8s/sc.yaml',
    'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: fast }\nprovisioner: rancher.io/local-path\n',
  );
  write('k8s/web.yaml', DEPLOY.replace('name: db,', 'name: web,').replace('claimName: db-data', 'claimName: web-data'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeEach(() => {
  process.env.GITHUB_WORKSPACE = ws;
  process.env.RUNNER_TEMP = path.join(tmp, 'runner-temp');
  core.reset({ 'fail-on': 'error', 'github-token': 'ghs_test', format: 'json sarif junit markdown policyreport' });
  github.resetApi();
  github.useEvent('push', github.examplePayload('push'));
  nextReport = report([finding({ file: 'k8s/db.yaml' })]);
});

const many = (n: number, severity: 'error' | 'warning', file = 'k8s/db.yaml'): Finding[] =>
  Array.from({ length: n }, (_, i) =>
    finding({
      severity,
      file,
      line: 100 - i,
      column: 3,
      endLine: 100 - i,
      endColumn: 9,
      container: `${severity}-${i}`,
    }),
  );

describe('annotations (test doubles: @actions/core, @actions/github, reportProject)', () => {
  test('exact positions, rule id as title, remediation in the text; errors first; overflow notice', async () => {
    nextReport = report([
      ...many(12, 'warning'),
      ...many(12, 'error'),
      finding({ suppressed: true, suppression: { kind: 'config', reason: 'ok' } }),
    ]);
    await run();
    expect(core.error).toHaveBeenCalledTimes(10);
    expect(core.warning).toHaveBeenCalledTimes(10);
    const [msg, props] = core.error.mock.calls[0]!;
    expect(msg).toContain('Fix: Mount a PersistentVolumeClaim');
    // sorted by position: the lowest line first
    expect(props).toEqual({
      title: 'data-path-pvc',
      file: 'k8s/db.yaml',
      startLine: 89,
      endLine: 89,
      startColumn: 3,
      endColumn: 9,
    });
    const notices = core.notice.mock.calls.map(([m]) => String(m));
    expect(notices).toEqual([
      expect.stringMatching(/^2 errors and 2 warnings more than GitHub shows.*job summary and the SARIF report/),
    ]);
  });

  test('multi-line findings drop columns (GitHub ignores them); admission-style line 0 gets the file only', async () => {
    nextReport = report([
      finding({ line: 5, endLine: 8 }),
      finding({ line: 0, column: 0, endLine: undefined, endColumn: undefined, container: 'x' }),
    ]);
    await run();
    expect(core.error.mock.calls.map(([, p]) => p)).toEqual([
      { title: 'data-path-pvc', file: 'k8s/db.yaml' },
      { title: 'data-path-pvc', file: 'k8s/db.yaml', startLine: 5, endLine: 8 },
    ]);
  });
});

describe('summary, outputs and report files (test doubles: @actions/core, @actions/github, reportProject)', () => {
  test('writes the markdown summary, sets every output, writes all report files and fails at fail-on', async () => {
    core.inputs['sarif-file'] = 'out/persistguard.sarif';
    nextReport = report([
      finding(),
      finding({ severity: 'warning', container: 'w' }),
      finding({ suppressed: true, suppression: { kind: 'annotation', reason: 'r' }, container: 's' }),
    ]);
    await run();
    const summary = core.summaryText.join('');
    expect(summary).toContain('## persistguard: 1 error, 1 warning');
    expect(summary).toContain(
      `[24](https://github.com/Codertocat/Hello-World/blob/${github.context.sha}/k8s/db.yaml#L24)`,
    );
    expect(summary).toContain('### `k8s/db.yaml`');
    const dir = path.join(tmp, 'runner-temp', 'persistguard');
    expect(core.outputs()).toEqual({
      findings: '2',
      errors: '1',
      warnings: '1',
      suppressed: '1',
      'report-dir': dir,
      'sarif-file': path.join(ws, 'out/persistguard.sarif'),
      'exit-code': '1',
    });
    for (const f of [
      'persistguard.json',
      'persistguard.sarif',
      'persistguard.junit.xml',
      'persistguard.md',
      'policyreport.yaml',
    ])
      expect(existsSync(path.join(dir, f))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(ws, 'out/persistguard.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(core.setFailed).toHaveBeenCalledWith('persistguard: 1 finding at or above fail-on: error');
  });

  test('report files written into the workspace by an earlier run are not scanned', async () => {
    core.inputs['report-dir'] = 'reports';
    write('reports/policyreport.yaml', DEPLOY.replace('name: db,', 'name: stale-copy,'));
    await run();
    const project = (reportProject.mock.calls[0] as unknown[])[0] as { workloads: { file: string }[] };
    expect(project.workloads.map((w) => w.file)).not.toContain('reports/policyreport.yaml');
    expect(project.workloads.length).toBeGreaterThan(0);
    expect(existsSync(path.join(ws, 'reports/persistguard.sarif'))).toBe(true);
    rmSync(path.join(ws, 'reports'), { recursive: true });
  });

  test('fail-on never: findings are reported but the step passes', async () => {
    core.inputs['fail-on'] = 'never';
    await run();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.outputs()['exit-code']).toBe('0');
    expect(core.outputs().findings).toBe('1');
  });

  test('fail-on warning fails on a warning alone', async () => {
    core.inputs['fail-on'] = 'warning';
    nextReport = report([finding({ severity: 'warning' })]);
    await run();
    expect(core.outputs()['exit-code']).toBe('1');
  });

  test('an unreadable file fails with exit code 2 and is annotated', async () => {
    nextReport = report([], [{ file: 'k8s/bad.yaml', line: 3, column: 2, message: 'bad indentation' }]);
    await run();
    expect(core.error).toHaveBeenCalledWith('bad indentation', {
      title: 'persistguard: file not checked',
      file: 'k8s/bad.yaml',
      startLine: 3,
      endLine: 3,
      startColumn: 2,
    });
    expect(core.outputs()['exit-code']).toBe('2');
  });

  test('fail-on never does not hide an incomplete scan: exit code 2, as `persistguard scan --fail-on never`', async () => {
    core.inputs['fail-on'] = 'never';
    nextReport = report([finding({ severity: 'warning' })], [{ file: 'k8s/bad.yaml', line: 3, message: 'bad' }]);
    await run();
    expect(core.outputs()['exit-code']).toBe('2');
    expect(core.setFailed).toHaveBeenCalledWith(
      'persistguard: 1 file could not be checked; the scan is incomplete (see the annotations)',
    );
  });

  test('target is passed to the core as an evaluation option; the loaded config is not rewritten', async () => {
    core.inputs.target = 'k3s';
    await run();
    const opts = (reportProject.mock.calls.at(-1) as unknown[])[1] as { target?: string; config: { target: string } };
    expect(opts.target).toBe('k3s');
    expect(opts.config.target).toBe('auto');
  });
});

describe('pull request comment (test doubles: @actions/core, @actions/github, reportProject)', () => {
  beforeEach(() => {
    github.useEvent('pull_request', github.examplePayload('pull_request', 'synchronize'));
    core.inputs.comment = 'true';
  });

  test('creates one comment, then updates the same one on the next push (found past the first page)', async () => {
    const api = github.api;
    api.comments = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, body: `chatter ${i}` }));
    await run();
    expect(api.rest.issues.createComment).toHaveBeenCalledTimes(1);
    const mine = api.comments.filter((c) => c.body.includes('<!-- persistguard -->'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('persistguard: 1 error');
    expect(mine[0]!.body).toContain('/actions/runs/4242');
    // lines link to the file at the PR head
    const head = (github.context.payload.pull_request as { head: { sha: string } }).head.sha;
    expect(mine[0]!.body).toContain(`[24](https://github.com/Codertocat/Hello-World/blob/${head}/k8s/db.yaml#L24)`);

    nextReport = report([finding({ severity: 'warning' })]);
    await run();
    expect(api.rest.issues.createComment).toHaveBeenCalledTimes(1);
    expect(api.rest.issues.updateComment).toHaveBeenCalledTimes(1);
    expect(api.comments.filter((c) => c.body.includes('<!-- persistguard -->'))).toHaveLength(1);
    expect(mine[0]!.body).toContain('persistguard: 1 warning');
    // two runs, two pages each (100 + 51 comments)
    expect(api.pagesRead).toBe(4);
    const payload = github.context.payload as {
      number: number;
      repository: { name: string; owner: { login: string } };
    };
    expect(api.rest.issues.createComment.mock.calls[0]![0]).toMatchObject({ issue_number: payload.number });
  });

  test('a fork (403 on create) degrades to a notice; the step result depends only on findings', async () => {
    core.inputs['fail-on'] = 'never';
    github.api.failCreate = 403;
    await run();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.notice.mock.calls.map(([m]) => String(m))).toEqual([
      expect.stringMatching(/^comment: could not write the pull request comment: .*read-only token/),
    ]);
  });

  test('a clean run creates no comment when there is none to update', async () => {
    nextReport = report([]);
    await run();
    expect(github.api.rest.issues.createComment).not.toHaveBeenCalled();
  });

  test('no comment on push events', async () => {
    github.useEvent('push', github.examplePayload('push'));
    await run();
    expect(github.api.rest.issues.listComments).not.toHaveBeenCalled();
  });

  test('without comment or only-changed the token is never used', async () => {
    core.inputs.comment = 'false';
    await run();
    expect(github.getOctokit).not.toHaveBeenCalled();
  });
});

describe('baseline (test doubles: @actions/core, @actions/github, reportProject)', () => {
  test('only findings missing from the baseline fail; existing ones show as existing; lines do not matter', async () => {
    const old = finding({ line: 3 });
    write('baseline/persistguard.json', JSON.stringify(report([old])));
    core.inputs.baseline = 'baseline/persistguard.json';
    nextReport = report([finding({ line: 40 }), finding({ container: 'new-sidecar', severity: 'warning' })]);
    await run();
    expect(core.outputs()).toMatchObject({ findings: '1', errors: '0', warnings: '1', 'exit-code': '0' });
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.error).not.toHaveBeenCalled();
    expect(core.summaryText.join('')).toContain('### Existing findings');
    const json = JSON.parse(
      readFileSync(path.join(tmp, 'runner-temp/persistguard/persistguard.json'), 'utf8'),
    ) as ScanReport;
    expect(json.findings.map((f) => f.baseline)).toEqual(['existing', 'new']);
  });

  test('a new error still fails', async () => {
    write('baseline/persistguard.json', JSON.stringify(report([])));
    core.inputs.baseline = 'baseline/persistguard.json';
    await run();
    expect(core.outputs()['exit-code']).toBe('1');
  });

  test('a baseline that is not a report fails with a message naming it', async () => {
    write('baseline/bad.json', '{"nope": 1}');
    core.inputs.baseline = 'baseline/bad.json';
    await run();
    expect(core.setFailed).toHaveBeenCalledWith(
      expect.stringContaining('bad.json: baseline is not a persistguard JSON report'),
    );
    expect(core.outputs()['exit-code']).toBe('2');
  });

  test('a missing baseline warns and treats everything as new', async () => {
    core.inputs.baseline = 'baseline/none.json';
    await run();
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringContaining('not found; every finding counts as new'),
      expect.anything(),
    );
    expect(core.outputs()['exit-code']).toBe('1');
  });
});

describe('only-changed (test doubles: @actions/core, @actions/github, reportProject)', () => {
  test('pull request: reports findings in changed files and in workloads that depend on them (files from the API, paginated)', async () => {
    github.useEvent('pull_request', github.examplePayload('pull_request', 'synchronize'));
    core.inputs['only-changed'] = 'true';
    github.api.prFiles = [
      ...Array.from({ length: 120 }, (_, i) => ({ filename: `docs/page-${i}.md`, status: 'modified' })),
      { filename: 'k8s/sc.yaml', status: 'modified' },
    ];
    (github.context.payload.pull_request as { changed_files: number }).changed_files = 121;
    nextReport = report([
      finding({ file: 'k8s/db.yaml' }),
      finding({ file: 'k8s/web.yaml', resource: { kind: 'Deployment', namespace: 'shop', name: 'web' } }),
    ]);
    await run();
    expect(github.api.rest.pulls.listFiles).toHaveBeenCalledTimes(2);
    // db.yaml mounts db-data whose StorageClass is in the changed sc.yaml; web.yaml does not
    expect(core.error.mock.calls.map(([, p]) => p?.file)).toEqual(['k8s/db.yaml']);
    expect(core.outputs().findings).toBe('1');
  });

  test('push: changed files come from the payload commits', async () => {
    const payload = github.examplePayload('push');
    payload.commits = [{ id: 'a', added: [], modified: ['k8s/web.yaml'], removed: [] }];
    github.useEvent('push', payload);
    core.inputs['only-changed'] = 'true';
    nextReport = report([
      finding({ file: 'k8s/db.yaml' }),
      finding({ file: 'k8s/web.yaml', resource: { kind: 'Deployment', namespace: 'shop', name: 'web' } }),
    ]);
    await run();
    expect(core.error.mock.calls.map(([, p]) => p?.file)).toEqual(['k8s/web.yaml']);
  });

  test('when the API fails it says so and reports everything', async () => {
    github.useEvent('pull_request', github.examplePayload('pull_request', 'synchronize'));
    core.inputs['only-changed'] = 'true';
    github.api.rest.pulls.listFiles.mockRejectedValueOnce(
      Object.assign(new Error('API rate limit exceeded'), { status: 403 }),
    );
    nextReport = report([finding({ file: 'k8s/db.yaml' }), finding({ file: 'k8s/web.yaml', container: 'x' })]);
    await run();
    expect(core.notice).toHaveBeenCalledWith(expect.stringContaining('rate limit'), expect.anything());
    expect(core.error).toHaveBeenCalledTimes(2);
  });
});

describe('input safety (test doubles: @actions/core, @actions/github, reportProject)', () => {
  test.each([['../outside'], ['/etc'], ['k8s/../../x']])('paths "%s" outside the workspace are rejected', async (p) => {
    core.inputs.paths = p;
    await run();
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/outside the workspace/));
    expect(reportProject).not.toHaveBeenCalled();
    expect(core.outputs()['exit-code']).toBe('2');
  });

  test('a symlink leading out of the workspace is rejected', async () => {
    mkdirSync(path.join(tmp, 'secret'), { recursive: true });
    if (!existsSync(path.join(ws, 'escape'))) symlinkSync(path.join(tmp, 'secret'), path.join(ws, 'escape'));
    core.inputs.paths = 'escape';
    await run();
    expect(core.setFailed).toHaveBeenCalledWith(
      expect.stringMatching(/resolves \(through a symlink\).*outside the workspace/),
    );
    rmSync(path.join(ws, 'escape'));
  });

  test('bad fail-on and format values are named in the failure', async () => {
    core.inputs['fail-on'] = 'sometimes';
    await run();
    expect(core.setFailed).toHaveBeenCalledWith(
      'persistguard: fail-on: expected error, warning or never, got "sometimes"',
    );
    core.reset({ format: 'sarif html' });
    await run();
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringContaining('format: unknown format "html"'));
  });

  test('an invalid config fails with exit code 2 and an annotation at its repository-relative path and line', async () => {
    write('cfg/bad.yaml', 'rules:\n  data-path-pvc: fatal\n');
    core.inputs.config = 'cfg/bad.yaml';
    await run();
    expect(core.error).toHaveBeenCalledWith(
      expect.stringContaining('data-path-pvc'),
      expect.objectContaining({ title: 'persistguard: config', file: 'cfg/bad.yaml', startLine: 2 }),
    );
    expect(core.setFailed).toHaveBeenCalledWith(
      expect.stringMatching(/^persistguard: invalid configuration: cfg\/bad\.yaml:2: /),
    );
    expect(core.outputs()['exit-code']).toBe('2');
    expect(reportProject).not.toHaveBeenCalled();
  });

  test('globs select files; a glob matching nothing warns', async () => {
    core.inputs.paths = 'k8s/d*.yaml\nnothing/**/*.yaml';
    await run();
    expect(core.warning).toHaveBeenCalledWith('paths: "nothing/**/*.yaml" matches no file in the workspace', {
      title: 'persistguard',
    });
    expect(reportProject).toHaveBeenCalledTimes(1);
    const project = (reportProject.mock.calls[0] as unknown[])[0] as { workloads: { file: string }[] };
    expect(project.workloads.map((w) => w.file)).toEqual(['k8s/db.yaml']);
  });

  test('a glob matching folders scans each folder whole', async () => {
    write('examples/a/fixed/app.yaml', DEPLOY);
    write('examples/a/broken/app.yaml', DEPLOY);
    core.inputs.paths = 'examples/*/fixed';
    await run();
    const project = (reportProject.mock.calls[0] as unknown[])[0] as { workloads: { file: string }[] };
    expect(project.workloads.map((w) => w.file)).toEqual(['examples/a/fixed/app.yaml']);
    rmSync(path.join(ws, 'examples'), { recursive: true });
  });
});

describe('#13 A2–A5 (test doubles: @actions/core, @actions/github, reportProject; real files and git)', () => {
  test('A4: a folder whose name starts with two dots is inside the workspace', async () => {
    write('..k8s/db.yaml', DEPLOY);
    core.inputs.paths = '..k8s';
    await run();
    expect(core.setFailed).not.toHaveBeenCalledWith(expect.stringMatching(/outside the workspace/));
    expect(reportProject).toHaveBeenCalled();
  });

  test('A2: a committed symlink at a report file is refused, and nothing is written through it', async () => {
    const victim = path.join(tmp, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    mkdirSync(path.join(ws, 'reports'), { recursive: true });
    symlinkSync(victim, path.join(ws, 'reports/persistguard.md'));
    core.inputs['report-dir'] = 'reports';
    core.inputs.format = 'markdown';
    await run();
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/symbolic link; refusing to write through it/));
    rmSync(path.join(ws, 'reports'), { recursive: true });
  });

  test('A2: a report-dir or sarif-file folder that links out of the workspace is refused', async () => {
    const outside = path.join(tmp, 'outside-dir');
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, path.join(ws, 'linked'));
    core.inputs['sarif-file'] = 'linked/sub/persistguard.sarif';
    await run();
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/sarif-file: .*symbolic link.*outside/));
    expect(existsSync(path.join(outside, 'sub'))).toBe(false);
    rmSync(path.join(ws, 'linked'));
  });

  test('A3: a push that deletes a scanned file reports findings in every file, and says why', async () => {
    const payload = github.examplePayload('push');
    payload.commits = [{ id: 'a', added: [], modified: [], removed: ['scripts/import-images.sh'] }];
    github.useEvent('push', payload);
    core.inputs['only-changed'] = 'true';
    nextReport = report([finding({ file: 'k8s/db.yaml' }), finding({ file: 'k8s/web.yaml', container: 'x' })]);
    await run();
    expect(core.error).toHaveBeenCalledTimes(2);
    expect(core.notice).toHaveBeenCalledWith(
      expect.stringContaining('deletes or renames 1 scanned file (scripts/import-images.sh)'),
      expect.anything(),
    );
  });

  test('A3: a renamed file in a pull request counts under both names (the old one as deleted)', async () => {
    github.useEvent('pull_request', github.examplePayload('pull_request', 'synchronize'));
    core.inputs['only-changed'] = 'true';
    github.api.prFiles = [
      { filename: 'k8s/web.yaml', status: 'renamed', previous_filename: 'k8s/old-web.yaml' } as never,
    ];
    nextReport = report([finding({ file: 'k8s/db.yaml' }), finding({ file: 'k8s/web.yaml', container: 'x' })]);
    await run();
    expect(core.error).toHaveBeenCalledTimes(2);
    expect(core.notice).toHaveBeenCalledWith(expect.stringContaining('k8s/old-web.yaml'), expect.anything());
  });

  test('A5: paths that judge 0 files is a notice that fails unless fail-on is never', async () => {
    core.inputs.paths = 'k8s';
    nextReport = { ...report([]), summary: { files: 0, resources: 0, errors: 0, warnings: 0, suppressed: 0 } };
    await run();
    expect(core.notice).toHaveBeenCalledWith(expect.stringMatching(/^0 files judged/), expect.anything());
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringContaining('0 files judged'));
    expect(core.outputs()['exit-code']).toBe('2');
    core.reset({ 'fail-on': 'never', paths: 'k8s', format: 'json' });
    await run();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.outputs()['exit-code']).toBe('0');
  });

  test("A5: config-ref reads the config from the base commit, not the pull request's head (real git)", async () => {
    const repo = path.join(tmp, 'repo');
    mkdirSync(path.join(repo, 'k8s'), { recursive: true });
    writeFileSync(path.join(repo, 'k8s/db.yaml'), DEPLOY);
    writeFileSync(path.join(repo, '.persistguard.yaml'), 'exclude: ["vendor-docs/**"]\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD').trim();
    // The pull request's head tries to exclude everything.
    writeFileSync(path.join(repo, '.persistguard.yaml'), 'exclude: ["**"]\n');
    git('commit', '-qam', 'head');
    process.env.GITHUB_WORKSPACE = repo;
    core.inputs['config-ref'] = base;
    await run();
    const config = (reportProject.mock.calls.at(-1) as unknown as [unknown, { config: { exclude: string[] } }])[1]
      .config;
    expect(config.exclude).toEqual(['vendor-docs/**']);
    core.reset({ 'config-ref': 'no-such-ref', format: 'json' });
    await run();
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringMatching(/config-ref: "no-such-ref" is not a commit/));
  });
});
