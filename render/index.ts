/**
 * The renderer: finds Helm charts, Kustomize overlays and GitOps releases in the scanned folders, renders
 * them with the real `helm` and `kubectl`/`kustomize` (bounded in time and output), and hands the core the
 * rendered documents with their provenance. Lives outside `policies/` because it runs child processes; the
 * CLI and the Action call it before `scanPaths`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import type { RenderConfig, ScanPathsOptions } from '../policies/index.js';
import { emptyOutput, type RenderContext, type RenderOutput, type RenderRecord } from './context.js';
import { gitopsTargets } from './gitops.js';
import { chartSettings, renderChart, valuesSets, type ValuesSet } from './helm.js';
import {
  closure,
  kustomizationIn,
  leafOverlays,
  readKustomization,
  renderOverlay,
  type Kustomization,
} from './kustomize.js';
import { findExecutable } from './run.js';
import { isWithin, walkTree } from './tree.js';

export type { RenderRecord } from './context.js';

export interface RenderOptions {
  cwd: string;
  config: RenderConfig;
  /** Config `exclude` globs (the renderer skips what the scan skips). */
  exclude?: readonly string[];
  /** Environment for the tools (PATH finds them). */
  env: NodeJS.ProcessEnv;
  /** `--no-render`: find charts and overlays, render nothing, say so once per chart/overlay. */
  disabled?: boolean;
}

export interface RenderResult {
  records: RenderRecord[];
  /** What `scanPaths` takes: the rendered sets, notes, errors and the files judged through them. */
  scan: Pick<ScanPathsOptions, 'rendered' | 'renderNotes' | 'renderErrors' | 'skip'>;
}

export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_OUTPUT_BYTES = 50 * 1024 * 1024;
/** Renders at a time: enough to overlap process start-up, few enough for a 2-core CI runner. */
const RENDER_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));

/** Renders every chart, overlay and local GitOps release under `paths`. Never throws for bad input. */
export async function renderPaths(paths: readonly string[], opts: RenderOptions): Promise<RenderResult> {
  const config = opts.config;
  const disabled = opts.disabled === true || config.enabled === false;
  const tmp = mkdtempSync(path.join(tmpdir(), 'persistguard-render-'));
  const ctx: RenderContext = {
    cwd: opts.cwd,
    config,
    env: opts.env,
    limits: {
      timeoutMs: (config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      maxOutputBytes: config.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    },
    tmp,
    disabled,
    out: emptyOutput(),
    texts: new Map(),
  };
  if (!disabled) {
    const found = (name: string | undefined, fallback: string): string | undefined =>
      findExecutable(name ?? fallback, opts.env.PATH);
    const helm = found(config.helm, 'helm');
    const kubectl = found(config.kubectl, 'kubectl');
    const kustomize = found(config.kustomize, 'kustomize');
    if (helm) ctx.helm = helm;
    if (kubectl) ctx.kubectl = kubectl;
    if (kustomize) ctx.kustomize = kustomize;
  }
  try {
    await renderAll(ctx, paths, opts.exclude ?? []);
  } catch (e) {
    ctx.out.errors.push({ file: paths.join(' '), message: `internal error while rendering: ${(e as Error).message}` });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { records: ctx.out.records, scan: scanInput(ctx.out) };
}

function scanInput(out: RenderOutput): RenderResult['scan'] {
  const dirs = [...out.ownedDirs];
  const charts = [...out.ownedChartDirs];
  const files = out.ownedFiles;
  // CRDs are plain manifests helm installs as they are: they stay with the files.
  const chartData = (abs: string): boolean =>
    /\.(?:ya?ml|json)$/i.test(abs) && charts.some((c) => isWithin(c, abs) && !isWithin(path.join(c, 'crds'), abs));
  return {
    rendered: out.sets,
    renderNotes: out.notes,
    renderErrors: out.errors,
    skip: (abs: string) => files.has(abs) || dirs.some((d) => isWithin(d, abs)) || chartData(abs),
  };
}

async function renderAll(ctx: RenderContext, paths: readonly string[], exclude: readonly string[]): Promise<void> {
  const tree = walkTree(paths, ctx.cwd, exclude);

  // GitOps releases first: they add values sets to charts and mark folders as deployed units.
  const extraSets = new Map<string, ValuesSet[]>();
  const deployedFolders = new Set<string>();
  for (const file of tree.gitops) {
    for (const t of gitopsTargets(ctx, file, tree.roots)) {
      if (t.kind === 'chart') extraSets.set(t.dir, [...(extraSets.get(t.dir) ?? []), t.set]);
      else deployedFolders.add(t.dir);
    }
  }

  // Charts: a chart inside another chart's charts/ folder is a subchart, judged through its parent.
  const charts = tree.charts.filter(
    (dir) => !tree.charts.some((parent) => parent !== dir && isWithin(path.join(parent, 'charts'), dir)),
  );
  for (const dir of tree.charts) {
    // Templates and vendored subcharts are judged through the render (or named once in a note), never file by
    // file; the chart's values files (values.yaml, ci/, helm-unittest suites) are inputs to it, not manifests.
    ctx.out.ownedDirs.push(path.join(dir, 'templates'), path.join(dir, 'charts'));
    ctx.out.ownedChartDirs.push(dir);
  }
  await inOrder(ctx, charts, async (c, dir) => {
    const settings = chartSettings(c, dir, tree.roots);
    await renderChart(c, dir, [...valuesSets(dir, settings), ...(extraSets.get(dir) ?? [])], settings, tree.charts);
  });

  // Kustomize: leaf overlays, plus folders a GitOps release deploys that hold a kustomization.
  const all = tree.kustomizations.map(readKustomization);
  const byDir = new Map<string, Kustomization>(all.map((k) => [k.dir, k]));
  for (const k of all) {
    ctx.out.ownedFiles.add(k.file);
    if (k.error !== undefined)
      ctx.out.errors.push({ file: k.file, message: `kustomization cannot be read: ${k.error}` });
  }
  const leaves = leafOverlays(all.filter((k) => k.error === undefined));
  for (const dir of deployedFolders) {
    const f = kustomizationIn(dir);
    if (f && !leaves.some((l) => l.dir === dir)) leaves.push(byDir.get(dir) ?? readKustomization(f));
  }
  const failed = new Set<string>();
  await inOrder(ctx, leaves, async (c, leaf) => {
    const ok = await renderOverlay(c, leaf, byDir);
    if (!ok) for (const f of closure(leaf, byDir).files) failed.add(f);
  });
  // A file an unrendered overlay uses is still judged as a plain file (patch fragments are recognised by the loader).
  for (const f of failed) {
    if (!byDir.has(path.dirname(f)) || byDir.get(path.dirname(f))?.file !== f) ctx.out.ownedFiles.delete(f);
  }
}

const escapeCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown for the Action's job summary: what was rendered, with which values, and what was not. */
export function renderSummary(records: readonly RenderRecord[]): string {
  if (records.length === 0) return '';
  const rows = records.map(
    (r) => `| ${escapeCell(r.producedBy)} | ${r.status} | ${r.documents} | ${escapeCell(r.reason ?? '')} |`,
  );
  return [
    '',
    '### Rendered charts and overlays',
    '',
    '| render | status | documents | note |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/**
 * Runs renders a few at a time (they wait on child processes), each into its own output, then appends the
 * outputs in the order of `items`: reports stay deterministic whatever finishes first.
 */
async function inOrder<T>(
  ctx: RenderContext,
  items: readonly T[],
  fn: (c: RenderContext, item: T) => Promise<void>,
): Promise<void> {
  const outs: RenderOutput[] = items.map(() => emptyOutput());
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn({ ...ctx, out: outs[i]! }, items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(RENDER_CONCURRENCY, items.length) }, worker));
  for (const o of outs) {
    ctx.out.sets.push(...o.sets);
    ctx.out.notes.push(...o.notes);
    ctx.out.errors.push(...o.errors);
    ctx.out.records.push(...o.records);
    for (const f of o.ownedFiles) ctx.out.ownedFiles.add(f);
    ctx.out.ownedDirs.push(...o.ownedDirs);
    ctx.out.ownedChartDirs.push(...o.ownedChartDirs);
  }
}
