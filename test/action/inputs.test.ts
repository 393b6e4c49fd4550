import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { changedFiles } from '../../action/changed-files.js';
import { globBase, InputError, readInputs, splitList } from '../../action/inputs.js';

const WS = '/home/runner/work/shop/shop';
const TEMP = '/home/runner/work/_temp';
const read = (values: Record<string, string>, env: NodeJS.ProcessEnv = { GITHUB_WORKSPACE: WS, RUNNER_TEMP: TEMP }) =>
  readInputs((n) => values[n] ?? '', env);

describe('inputs', () => {
  test('lists split on newlines and spaces; comment lines dropped', () => {
    expect(splitList('k8s/ deploy/compose.yaml\n# not this\n  charts/a  \n\n')).toEqual([
      'k8s/',
      'deploy/compose.yaml',
      'charts/a',
    ]);
  });

  test('glob bases', () => {
    expect(globBase('k8s/**/*.yaml')).toBe('k8s');
    expect(globBase('*.yaml')).toBe('.');
    expect(globBase('examples/*/fixed')).toBe('examples');
    expect(globBase('k8s/app.yaml')).toBe('k8s/app.yaml');
    expect(globBase('../*/x')).toBe('..');
  });

  test('a glob cannot start outside the workspace', () => {
    expect(() => read({ paths: '../*/secrets' })).toThrow(/outside the workspace/);
  });

  test('paths: a glob that could backtrack without bound is an input error, a plain glob is fine', () => {
    expect(() => read({ paths: 'k8s/*(a*)*b' })).toThrow(/paths: 'k8s\/\*\(a\*\)\*b' uses an extglob/);
    expect(() => read({ paths: 'k8s/*a*a*a*b.yaml' })).toThrow(InputError);
    expect(read({ paths: 'k8s/**/*.yaml' }).paths).toEqual(['k8s/**/*.yaml']);
  });

  test('report-dir and sarif-file: workspace or RUNNER_TEMP only', () => {
    expect(read({}).reportDir).toBe(path.join(TEMP, 'persistguard'));
    expect(read({ 'report-dir': `${TEMP}/reports` }).reportDir).toBe(`${TEMP}/reports`);
    expect(read({ 'sarif-file': 'out.sarif' }).sarifFile).toBe(`${WS}/out.sarif`);
    expect(() => read({ 'report-dir': '/etc/cron.d' })).toThrow(InputError);
    expect(() => read({ 'sarif-file': '../../x.sarif' })).toThrow(
      /sarif-file: "..\/..\/x.sarif" is outside the workspace and RUNNER_TEMP/,
    );
    expect(read({}, { GITHUB_WORKSPACE: WS }).reportDir).toBe(`${WS}/persistguard-report`);
  });

  test('config and baseline must be in the workspace', () => {
    expect(() => read({ config: '/etc/passwd' })).toThrow(/config: "\/etc\/passwd" is outside the workspace/);
    expect(() => read({ baseline: `${TEMP}/base.json` })).toThrow(/baseline: .* is outside the workspace/);
  });

  test('policyreport:openreports selects the openreports API', () => {
    const i = read({ format: 'json policyreport:openreports' });
    expect(i.formats).toEqual(['json', 'policyreport']);
    expect(i.policyReportApi).toBe('openreports');
  });

  test('booleans and target are checked', () => {
    expect(read({ comment: 'TRUE', 'only-changed': 'no' })).toMatchObject({ comment: true, onlyChanged: false });
    expect(() => read({ comment: 'maybe' })).toThrow('comment: expected true or false, got "maybe"');
    expect(() => read({ target: 'k8s' })).toThrow(/target: expected auto, k3s or kubernetes/);
    expect(() => read({ paths: '-' })).toThrow(/standard input/);
  });
});

describe('changed files fall back with a reason', () => {
  const repo = { owner: 'acme', repo: 'shop' };
  test('force push, empty push, workflow_dispatch, huge PR, no token', async () => {
    expect(
      await changedFiles(
        { eventName: 'push', payload: { forced: true, commits: [{ modified: ['a'] }] }, repo },
        undefined,
      ),
    ).toMatchObject({ reason: expect.stringContaining('force push') });
    expect(await changedFiles({ eventName: 'push', payload: { commits: [] }, repo }, undefined)).toMatchObject({
      reason: expect.stringContaining('no commits'),
    });
    expect(await changedFiles({ eventName: 'workflow_dispatch', payload: {}, repo }, undefined)).toMatchObject({
      reason: expect.stringContaining('not workflow_dispatch'),
    });
    const pr = { eventName: 'pull_request', payload: { pull_request: { number: 3, changed_files: 5000 } }, repo };
    expect(await changedFiles(pr, undefined)).toMatchObject({ reason: expect.stringContaining('no github-token') });
    // never called: the API cannot list more than 3,000 files, so it is not asked
    expect(await changedFiles(pr, {} as never)).toMatchObject({
      reason: expect.stringContaining('changes 5000 files, more than the API lists'),
    });
  });

  test('push: added and modified files of every commit; removed ones listed as deleted', async () => {
    const r = await changedFiles(
      {
        eventName: 'push',
        payload: {
          commits: [{ added: ['a.yaml'], modified: ['b.yaml'], removed: ['c.yaml'] }, { modified: ['a.yaml', 'd.sh'] }],
        },
        repo,
      },
      undefined,
    );
    expect(r).toEqual({ files: ['a.yaml', 'b.yaml', 'd.sh'], deleted: ['c.yaml'], source: 'push of 2 commits' });
  });
});
