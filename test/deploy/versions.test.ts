/**
 * One version everywhere a user installs from: the release workflow refuses a tag that package.json, the
 * chart (version, appVersion = default image tag) and the manifests' image tag do not all carry.
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoPath } from '../support/repo.js';

const version = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version;
const check = (v: string): { status: number | null; out: string } => {
  const r = spawnSync(process.execPath, [repoPath('scripts/set-version.mjs'), '--check', v], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
};

test('package.json, the chart and the manifests carry the same version', () => {
  expect(check(version)).toEqual({ status: 0, out: expect.stringContaining(`version ${version}`) });
  expect(readFileSync(repoPath('deploy/helm/persistguard/Chart.yaml'), 'utf8')).toContain(`appVersion: "${version}"`);
});

test('another version is refused, naming every place that differs', () => {
  const r = check('99.0.0');
  expect(r.status).toBe(1);
  for (const f of [
    'package.json',
    'deploy/helm/persistguard/Chart.yaml',
    'deploy/manifests/base/deployment.yaml',
    'deploy/overlays/audit-cronjob/cronjob.yaml',
  ])
    expect(r.out).toContain(f);
  expect(check('not-a-version').status).toBe(2);
});

test('npm version runs it, so a version bump updates the chart and the manifests in the same commit', () => {
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.version).toMatch(/^node scripts\/set-version\.mjs && git add /);
});
