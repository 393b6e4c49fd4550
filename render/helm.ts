/**
 * Helm charts: `helm template` once per values set (the chart's defaults, chart-testing's `ci/*-values.yaml`,
 * the values files the config names, a GitOps release's values). Library charts are not rendered; a
 * subchart is judged through its parent; missing dependencies are never fetched unless the config allows.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { globMatcher } from '../policies/index.js';
import type { RenderChartSetting, RenderedDocument, ValuesSource } from '../policies/index.js';
import { sourceText, type RenderContext } from './context.js';
import { runTool } from './run.js';
import { displayOf, isWithin } from './tree.js';

export interface ValuesSet {
  /** How the report names it: `default values`, `values ci/ha-values.yaml`. */
  label: string;
  /** Absolute values files, layered in order. */
  files: string[];
  releaseName?: string;
  namespace?: string;
  /** Shipped with the chart (defaults, `ci/`), not chosen by the user: a `required` failure is not their error. */
  fromChart?: boolean;
  /** Inline GitOps values (passed to helm through a temporary file), as they sit in the release's file. */
  inline?: ValuesSource;
}

interface ChartMeta {
  name: string;
  type?: string;
  dependencies: { name: string; alias?: string; repository?: string }[];
}

export function readChartMeta(dir: string): ChartMeta | { error: string } {
  try {
    const raw = parseYaml(readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as Record<string, unknown> | null;
    if (!raw || typeof raw !== 'object') return { error: 'Chart.yaml is empty' };
    let deps = Array.isArray(raw.dependencies) ? raw.dependencies : [];
    const req = path.join(dir, 'requirements.yaml');
    if (deps.length === 0 && existsSync(req)) {
      const r = parseYaml(readFileSync(req, 'utf8')) as { dependencies?: unknown } | null;
      if (r && Array.isArray(r.dependencies)) deps = r.dependencies;
    }
    return {
      name: typeof raw.name === 'string' ? raw.name : path.basename(dir),
      ...(typeof raw.type === 'string' ? { type: raw.type } : {}),
      dependencies: deps.filter(
        (d): d is { name: string } => !!d && typeof (d as { name?: unknown }).name === 'string',
      ) as ChartMeta['dependencies'],
    };
  } catch (e) {
    return { error: `cannot read Chart.yaml: ${(e as Error).message}` };
  }
}

/** Dependencies declared but not vendored under `charts/` (as a folder or an archive). */
function missingDependencies(dir: string, meta: ChartMeta): string[] {
  const chartsDir = path.join(dir, 'charts');
  let entries: string[] = [];
  try {
    entries = readdirSync(chartsDir);
  } catch {
    entries = [];
  }
  const vendoredNames = new Set<string>();
  for (const e of entries) {
    if (e.endsWith('.tgz')) vendoredNames.add(e.replace(/-\d[^/]*\.tgz$/, ''));
    else {
      const m = readChartMeta(path.join(chartsDir, e));
      if (!('error' in m)) vendoredNames.add(m.name);
      vendoredNames.add(e);
    }
  }
  return meta.dependencies.filter((d) => !vendoredNames.has(d.name)).map((d) => d.name);
}

/** Config entries for a chart (globs against the chart folder relative to a scan root or the cwd). */
export function chartSettings(ctx: RenderContext, chartDir: string, roots: readonly string[]): RenderChartSetting[] {
  const rels = [
    displayOf(ctx.cwd, chartDir),
    ...roots.map((r) => path.relative(r, chartDir).split(path.sep).join('/')),
  ];
  return (ctx.config.charts ?? []).filter((c) => {
    const glob = c.path.replace(/^\.\//, '').replace(/\/+$/, '') || '.';
    const match = globMatcher(glob);
    return rels.some((r) => match(r === '' ? '.' : r));
  });
}

/** The values sets a chart is rendered with: defaults, `ci/*-values.yaml`, then the config's. */
export function valuesSets(chartDir: string, settings: readonly RenderChartSetting[]): ValuesSet[] {
  const sets: ValuesSet[] = [{ label: 'default values', files: [], fromChart: true }];
  try {
    for (const f of readdirSync(path.join(chartDir, 'ci')).sort()) {
      if (/-values\.ya?ml$/.test(f))
        sets.push({ label: `values ci/${f}`, files: [path.join(chartDir, 'ci', f)], fromChart: true });
    }
  } catch {
    /* no ci folder */
  }
  for (const s of settings) {
    for (const v of s.values ?? []) {
      const files = (Array.isArray(v) ? v : [v]).map((f) => path.resolve(chartDir, f));
      sets.push({ label: `values ${(Array.isArray(v) ? v : [v]).join(' + ')}`, files });
    }
  }
  return sets;
}

/** Splits `helm template` output on its `# Source:` comments. */
export function splitHelmOutput(text: string): { source: string | undefined; text: string }[] {
  const docs: { source: string | undefined; text: string }[] = [];
  let source: string | undefined;
  let lines: string[] = [];
  const push = (): void => {
    const body = lines.join('\n');
    if (body.trim() !== '') docs.push({ source, text: body });
    lines = [];
    source = undefined;
  };
  for (const line of text.split('\n')) {
    if (/^---\s*$/.test(line)) {
      push();
      continue;
    }
    const m = /^# Source: (.+)$/.exec(line);
    if (m && lines.every((l) => l.trim() === '' || l.startsWith('#'))) source = m[1]!.trim();
    lines.push(line);
  }
  push();
  return docs;
}

/** `mychart/charts/redis/templates/x.yaml` → the file on disk, or the parent's Chart.yaml for archived subcharts. */
function sourceFile(chartDir: string, source: string | undefined, staged: ReadonlyMap<string, string>): string {
  if (source === undefined) return path.join(chartDir, 'Chart.yaml');
  const parts = source.split('/').slice(1);
  // A dependency taken from elsewhere in the tree: its templates are reported where they live.
  if (parts[0] === 'charts' && parts[1] !== undefined && staged.has(parts[1])) {
    const abs = path.join(staged.get(parts[1])!, ...parts.slice(2));
    if (existsSync(abs)) return abs;
  }
  const abs = path.join(chartDir, ...parts);
  return existsSync(abs) ? abs : path.join(chartDir, 'Chart.yaml');
}

/** Missing dependencies found in the scanned tree: a `file://` path, else a chart of that name (the nearest). */
function localDependencies(
  chartDir: string,
  meta: ChartMeta,
  missing: readonly string[],
  allCharts: readonly string[],
): Map<string, string> {
  const found = new Map<string, string>();
  for (const dep of meta.dependencies) {
    if (!missing.includes(dep.name)) continue;
    const repo = dep.repository ?? '';
    if (repo.startsWith('file://')) {
      const dir = path.resolve(chartDir, repo.slice('file://'.length));
      if (existsSync(path.join(dir, 'Chart.yaml'))) found.set(dep.name, dir);
      continue;
    }
    const candidates = allCharts
      .filter((c) => c !== chartDir && !isWithin(chartDir, c))
      .filter((c) => {
        const m = readChartMeta(c);
        return !('error' in m) && m.name === dep.name;
      })
      .sort((a, b) => path.relative(chartDir, a).length - path.relative(chartDir, b).length);
    if (candidates[0] !== undefined) found.set(dep.name, candidates[0]);
  }
  return found;
}

/** A private copy of the chart with the given dependencies vendored into its `charts/`. */
function stageChart(ctx: RenderContext, chartDir: string, deps: ReadonlyMap<string, string>): string {
  const root = mkdtempSync(path.join(ctx.tmp, 'chart-'));
  const copy = path.join(root, path.basename(chartDir));
  cpSync(chartDir, copy, { recursive: true, dereference: true });
  for (const [name, dir] of deps) cpSync(dir, path.join(copy, 'charts', name), { recursive: true, dereference: true });
  return copy;
}

export function helmEnv(ctx: RenderContext): NodeJS.ProcessEnv {
  // Fetching dependencies needs the user's repository definitions and credentials.
  if (ctx.config.allowNetwork === true) return ctx.env;
  // Otherwise own cache/config/data homes: the user's repositories and plugins play no part in a template render.
  return {
    ...ctx.env,
    HELM_CACHE_HOME: path.join(ctx.tmp, 'helm', 'cache'),
    HELM_CONFIG_HOME: path.join(ctx.tmp, 'helm', 'config'),
    HELM_DATA_HOME: path.join(ctx.tmp, 'helm', 'data'),
  };
}

/** Renders one chart with every values set; results go to `ctx.out`. */
export async function renderChart(
  ctx: RenderContext,
  chartDir: string,
  sets: readonly ValuesSet[],
  settings: readonly RenderChartSetting[],
  allCharts: readonly string[] = [],
): Promise<void> {
  const unit = displayOf(ctx.cwd, chartDir);
  const meta = readChartMeta(chartDir);
  if ('error' in meta) {
    ctx.out.errors.push({ file: `${unit}/Chart.yaml`, message: `helm chart ${unit}: ${meta.error}` });
    return;
  }
  if (meta.type === 'library') return; // nothing to install: judged through the charts that use it
  const label = `helm chart ${unit}`;
  if (settings.some((s) => s.skip === true)) {
    ctx.out.notes.push({ file: unit, message: `${label}: not rendered (render.charts[].skip)` });
    ctx.out.records.push({
      unit,
      kind: 'helm',
      producedBy: label,
      status: 'not rendered',
      documents: 0,
      reason: 'skip',
    });
    return;
  }
  if (ctx.disabled || !ctx.helm) {
    const why = ctx.disabled
      ? 'rendering is switched off (--no-render or render.enabled: false)'
      : '`helm` was not found on PATH (install it, or set render.helm)';
    ctx.out.notes.push({
      file: unit,
      message: `${label}: templates not judged: ${why}. Or render it yourself: \`helm template ${unit} | persistguard scan -\``,
    });
    ctx.out.records.push({ unit, kind: 'helm', producedBy: label, status: 'not rendered', documents: 0, reason: why });
    return;
  }
  // Missing dependencies: charts of the same tree first (`file://` paths, or a chart of that name, as in chart
  // monorepos), fetched only when the network is allowed. Either way into a private copy: the scanned tree is
  // never written to.
  const missing = missingDependencies(chartDir, meta);
  let renderDir = chartDir;
  const staged = new Map<string, string>();
  if (missing.length > 0) {
    const local = localDependencies(chartDir, meta, missing, allCharts);
    const unresolved = missing.filter((m) => !local.has(m));
    if (unresolved.length > 0 && ctx.config.allowNetwork !== true) {
      const why = `dependencies not in charts/: ${unresolved.join(', ')}`;
      ctx.out.notes.push({
        file: unit,
        message: `${label}: not rendered, ${why}. Run \`helm dependency build ${unit}\` (or set render.allowNetwork: true to let persistguard fetch them)`,
      });
      ctx.out.records.push({
        unit,
        kind: 'helm',
        producedBy: label,
        status: 'not rendered',
        documents: 0,
        reason: why,
      });
      return;
    }
    renderDir = stageChart(ctx, chartDir, local);
    for (const [name, dir] of local) staged.set(name, dir);
    if (unresolved.length > 0) {
      const r = await runTool(ctx.helm, ['dependency', 'build', renderDir, '--skip-refresh'], {
        cwd: ctx.cwd,
        env: helmEnv(ctx),
        ...ctx.limits,
      });
      if (!r.ok) {
        ctx.out.errors.push({ file: unit, message: `${label}: helm dependency build failed: ${r.reason}` });
        ctx.out.records.push({
          unit,
          kind: 'helm',
          producedBy: label,
          status: 'failed',
          documents: 0,
          reason: r.reason,
        });
        return;
      }
    }
  }
  for (const set of sets) {
    const producedBy = `${label} (${set.label})`;
    const release =
      set.releaseName ?? settings.find((s) => s.releaseName)?.releaseName ?? ctx.config.releaseName ?? 'release';
    const namespace =
      set.namespace ?? settings.find((s) => s.namespace)?.namespace ?? ctx.config.namespace ?? 'default';
    const args = ['template', release, renderDir, '--namespace', namespace, '--skip-tests'];
    for (const f of set.files) args.push('--values', f);
    const started = Date.now();
    const r = await runTool(ctx.helm, args, { cwd: ctx.cwd, env: helmEnv(ctx), ...ctx.limits });
    const ms = Date.now() - started;
    if (!r.ok && set.fromChart === true && /execution error at \(/.test(r.reason)) {
      // The chart refuses these values on purpose (`required`, `fail`): not a broken chart, a values set to supply.
      const why = r.reason.replace(/^Error: /, '').replace(/\s*Use --debug flag to render out invalid YAML\s*$/, '');
      ctx.out.notes.push({
        file: unit,
        message: `${producedBy}: not rendered, the chart requires values: ${why}. Name a values file in render.charts[].values`,
      });
      ctx.out.records.push({ unit, kind: 'helm', producedBy, status: 'not rendered', documents: 0, reason: why });
      continue;
    }
    if (!r.ok) {
      ctx.out.errors.push({
        ...failurePlace(ctx, chartDir, meta.name, r.reason),
        message: `${producedBy}: helm template failed: ${r.reason.replace(/\s*Use --debug flag to render out invalid YAML\s*$/, '')}`,
      });
      ctx.out.records.push({ unit, kind: 'helm', producedBy, status: 'failed', documents: 0, reason: r.reason });
      continue;
    }
    const documents: RenderedDocument[] = [];
    for (const d of splitHelmOutput(r.stdout)) {
      const abs = sourceFile(chartDir, d.source, staged);
      const text = sourceText(ctx, abs);
      documents.push({
        file: displayOf(ctx.cwd, abs),
        text: d.text,
        ...(text !== undefined ? { sourceText: text } : {}),
      });
    }
    const values: ValuesSource[] = [path.join(chartDir, 'values.yaml'), ...set.files].flatMap((f) => {
      const text = sourceText(ctx, f);
      return text !== undefined && !isWithin(ctx.tmp, f) ? [{ file: displayOf(ctx.cwd, f), text }] : [];
    });
    // Inline GitOps values were handed to helm through a temporary file: point into the release's own file.
    if (set.inline) values.push(set.inline);
    ctx.out.sets.push({ unit, producedBy, namespace, documents, values });
    ctx.out.records.push({ unit, kind: 'helm', producedBy, status: 'rendered', documents: documents.length, ms });
  }
}

/** Helm names the template and line of a parse error (`(mychart/templates/x.yaml:4)`): point there. */
function failurePlace(
  ctx: RenderContext,
  chartDir: string,
  name: string,
  reason: string,
): { file: string; line?: number } {
  const m =
    /\(([^():\s]+\.(?:ya?ml|tpl|txt)):(\d+)(?::\d+)?\)/.exec(reason) ??
    /template: ([^:\s]+\.(?:ya?ml|tpl)):(\d+)/.exec(reason);
  if (m && m[1]!.startsWith(`${name}/`)) {
    const abs = path.join(chartDir, m[1]!.slice(name.length + 1));
    if (existsSync(abs)) return { file: displayOf(ctx.cwd, abs), line: Number(m[2]) };
  }
  return { file: displayOf(ctx.cwd, chartDir) };
}
