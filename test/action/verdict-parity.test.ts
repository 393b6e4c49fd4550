/**
 * The CLI (`persistguard scan`, in-process through main(argv, io)) and the Action (run(), with test doubles of
 * @actions/core and @actions/github: no GitHub runner here) scan the same real workspace with the real core
 * and must end with the same exit code for every fail-on: both ask the core's scanVerdict().
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import * as core from './fixtures/core.js';
import * as github from './fixtures/github.js';
import { FAIL_ON, type FailOn } from '../../policies/model/options.js';

jest.unstable_mockModule('@actions/core', () => core);
jest.unstable_mockModule('@actions/github', () => github);
const { run } = await import('../../action/main.js');
const { main } = await import('../../cli/main.js');

const EMPTYDIR_POSTGRES = `apiVersion: apps/v1
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
          emptyDir: {}
`;
const CACHE_WARNING = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env: [{ name: CACHE_DIR, value: /var/cache/web }]
`;
const BROKEN = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: [unclosed\n';

let tmp: string;
const workspaces: Record<string, Record<string, string>> = {
  clean: { 'k8s/web.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\ndata: { a: b }\n' },
  warning: { 'k8s/web.yaml': CACHE_WARNING },
  error: { 'k8s/db.yaml': EMPTYDIR_POSTGRES, 'k8s/web.yaml': CACHE_WARNING },
  unreadable: { 'k8s/web.yaml': CACHE_WARNING, 'k8s/broken.yaml': BROKEN },
  'error and unreadable': { 'k8s/db.yaml': EMPTYDIR_POSTGRES, 'k8s/broken.yaml': BROKEN },
};

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pg-verdict-'));
  for (const [name, files] of Object.entries(workspaces)) {
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(tmp, name, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cliExit(ws: string, failOn: FailOn): Promise<number> {
  const sink = () => new PassThrough().resume();
  return main(['scan', 'k8s', '--format', 'json', '--fail-on', failOn], {
    stdout: sink(),
    stderr: sink(),
    cwd: ws,
    env: {},
    readStdin: async () => '',
    stopSignal: new Promise(() => undefined),
  });
}

async function actionExit(ws: string, failOn: FailOn): Promise<number> {
  process.env.GITHUB_WORKSPACE = ws;
  process.env.RUNNER_TEMP = path.join(tmp, 'runner-temp');
  core.reset({ 'fail-on': failOn, paths: 'k8s', format: 'json' });
  github.useEvent('push', github.examplePayload('push'));
  await run();
  return Number(core.outputs()['exit-code']);
}

const EXPECTED: Record<string, Record<FailOn, number>> = {
  clean: { error: 0, warning: 0, never: 0 },
  warning: { error: 0, warning: 1, never: 0 },
  error: { error: 1, warning: 1, never: 0 },
  // An incomplete scan is exit 2 whatever fail-on says, `never` included.
  unreadable: { error: 2, warning: 2, never: 2 },
  'error and unreadable': { error: 2, warning: 2, never: 2 },
};

describe.each(Object.keys(workspaces))('workspace "%s"', (name) => {
  test.each([...FAIL_ON])('fail-on %s: the CLI and the Action exit alike', async (failOn) => {
    const ws = path.join(tmp, name);
    const cli = await cliExit(ws, failOn);
    const action = await actionExit(ws, failOn);
    expect({ cli, action }).toEqual({ cli: EXPECTED[name]![failOn], action: EXPECTED[name]![failOn] });
    if (action !== 0) expect(core.setFailed).toHaveBeenCalledTimes(1);
    else expect(core.setFailed).not.toHaveBeenCalled();
  });
});
