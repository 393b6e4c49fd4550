/**
 * The whole verdict as the JSON contract: evaluate, then resolve positions only for what is reported.
 */
import type { ResolvedConfig } from '../config/types.js';
import type { EvaluatedResource, Finding, PendingFinding, ScanReport } from '../model/findings.js';
import type { DocRef, LoadError, LoadNote, Location, Project } from '../model/model.js';
import { mergeProject, emptyProject, hasDocText } from '../model/model.js';
import type { ClusterView } from '../model/cluster-view.js';
import type { LoadPathsOptions } from '../load/index.js';
import { loadPaths } from '../load/index.js';
import { loadRendered, type RenderedSet } from '../load/rendered.js';
import { locateAll } from '../locate/locate.js';
import { evaluate, targetsK3s, type Evaluation } from './engine.js';
import { fileClusterView } from './file-view.js';
import { VERSION } from '../model/version.js';
import type { Target } from '../model/options.js';

export interface ReportOptions {
  config: ResolvedConfig;
  view?: ClusterView;
  now?: Date;
  /** The project before the change; see `EvaluateOptions.base`. */
  base?: Project;
  /** Overrides the config's `target` for this evaluation (see `EvaluateOptions.target`). */
  target?: Target;
}

function docKey(d: DocRef): string {
  return `${d.file}\u0000${d.index}`;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.message.localeCompare(b.message)
  );
}

/** Files of the base that could not be read only narrow the comparison: notes, never input errors. */
function baseNotes(base: Project | undefined): { file: string; message: string }[] {
  return (base?.errors ?? []).map((e) => ({
    file: e.file,
    message: `at the base of the change${e.line !== undefined ? ` (line ${e.line})` : ''}: ${e.message}; workloads of this file are not compared`,
  }));
}

/** Evaluates a loaded project and resolves positions: the whole verdict as the JSON contract. */
export function reportProject(project: Project, opts: ReportOptions): ScanReport {
  return reportProjects(project, [], opts);
}

/**
 * Evaluates the scanned files and, each on its own, every rendered set (a chart with one values set is one
 * possible install: two of them side by side would share claims that never coexist). A k3s repository is
 * k3s for its charts too, so `target: auto` is settled once, from the files.
 */
function evaluateAll(project: Project, renders: readonly Project[], opts: ReportOptions): Evaluation {
  // The base of a change is files too: it is compared with the files (renders have no base to compare with).
  const ev = evaluate(project, {
    config: opts.config,
    view: opts.view,
    now: opts.now,
    target: opts.target,
    base: opts.base,
  });
  if (renders.length === 0) return ev;
  const target = targetsK3s(opts.config, project, opts.view, opts.target) ? 'k3s' : (opts.target ?? opts.config.target);
  // A chart's `existingClaim` or StorageClass is often a plain manifest next to it: renders see the files'
  // claims, classes and volumes (not their workloads: relations between workloads stay within one install).
  const context = emptyProject();
  context.claims = project.claims;
  context.storageClasses = project.storageClasses;
  context.persistentVolumes = project.persistentVolumes;
  for (const r of renders) {
    const view = opts.view ?? fileClusterView(mergeProject(mergeProject(emptyProject(), r), context));
    const e = evaluate(r, { config: opts.config, view, now: opts.now, target });
    ev.findings.push(...e.findings);
    ev.resources.push(...e.resources);
    ev.notes.push(...e.notes);
  }
  return ev;
}

function renderedByOf(at: PendingFinding['at']): string | undefined {
  return at.kind === 'node' ? (at.doc.origin?.producedBy ?? at.doc.source) : undefined;
}

/**
 * The same template line failing under several values sets is one thing to fix: one finding that names
 * every render, not one per values file.
 */
function mergeRendered(findings: Finding[]): Finding[] {
  const out: Finding[] = [];
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    if (f.renderedBy === undefined) {
      out.push(f);
      continue;
    }
    const key = [f.ruleId, f.file, f.line, f.column, f.message, f.resource.kind, f.resource.name, f.container].join(
      '\u0000',
    );
    const prev = byKey.get(key);
    if (prev) {
      if (!prev.renderedBy!.split('; ').includes(f.renderedBy)) prev.renderedBy += `; ${f.renderedBy}`;
      continue;
    }
    byKey.set(key, f);
    out.push(f);
  }
  for (const f of byKey.values()) f.message = `${f.message} [rendered from ${f.renderedBy}]`;
  return out;
}

/**
 * `{ ...rest, file, line, column }` of a pending finding without its anchor, built key by key (same keys, same
 * order): V8 gives every object spread from a rest-destructured object a hidden class of its own, about 500
 * bytes per finding (2 of the 11 MB a report of 4,857 findings keeps), where key-by-key objects share them.
 */
function placed(pending: PendingFinding, loc: Location): Finding {
  const f: Record<string, unknown> = {};
  for (const key of Object.keys(pending)) if (key !== 'at') f[key] = pending[key as keyof PendingFinding];
  f.file = loc.file;
  f.line = loc.line;
  f.column = loc.column;
  return f as unknown as Finding;
}

/** {@link reportProject} for the scanned files plus rendered sets (charts, overlays), judged each on its own. */
export function reportProjects(project: Project, renders: readonly Project[], opts: ReportOptions): ScanReport {
  const ev = evaluateAll(project, renders, opts);
  // Positions for passing resources: re-parsing every document just to list passes would cost what the
  // late-anchor design saves, so only documents that already have findings are located precisely; the
  // others point at the start of their document.
  const docsWithFindings = new Set(ev.findings.flatMap((f) => (f.at.kind === 'node' ? [docKey(f.at.doc)] : [])));
  const atDocStart = (r: Evaluation['resources'][number]): EvaluatedResource | undefined =>
    r.at.kind === 'node' && !docsWithFindings.has(docKey(r.at.doc)) && !r.at.doc.origin
      ? {
          resource: r.resource,
          file: r.at.doc.file,
          line: hasDocText(r.at.doc) ? (r.at.doc.lineOffset ?? 1) : 0,
          column: hasDocText(r.at.doc) ? 1 : 0,
        }
      : undefined;
  // Every anchor is placed in one pass grouped by document, so each document is parsed for positions once
  // and released before the next (see `locateAll`).
  const located = ev.resources.filter((r) => atDocStart(r) === undefined);
  const locations = locateAll([...ev.findings.map((f) => f.at), ...located.map((r) => r.at)]);
  let findings: Finding[] = ev.findings.map((pending, i) => {
    const at = pending.at;
    const loc = locations[i] as Location;
    const f = placed(pending, loc);
    if (loc.endLine !== undefined) f.endLine = loc.endLine;
    if (loc.endColumn !== undefined) f.endColumn = loc.endColumn;
    if (loc.jsonPath !== undefined) f.jsonPath = loc.jsonPath;
    const renderedBy = renderedByOf(at);
    if (renderedBy !== undefined) f.renderedBy = renderedBy;
    if (loc.valuesHint !== undefined) f.message = `${f.message} (values: ${loc.valuesHint})`;
    return f;
  });
  // Renders, and Helm output on stdin (`# Source:`), name the template each finding came from.
  findings = mergeRendered(findings);
  findings.sort(compareFindings);
  let next = ev.findings.length;
  const resources: EvaluatedResource[] = ev.resources.map((r) => {
    const start = atDocStart(r);
    if (start) return start;
    const loc = locations[next++] as Location;
    return { resource: r.resource, file: loc.file, line: loc.line, column: loc.column };
  });
  const live = findings.filter((f) => !f.suppressed);
  return {
    tool: { name: 'persistguard', version: VERSION },
    findings,
    errors: project.errors.map((e) => {
      const out: ScanReport['errors'][number] = { file: e.file, message: e.message };
      if (e.line !== undefined) out.line = e.line;
      if (e.column !== undefined) out.column = e.column;
      return out;
    }),
    notes: [...project.notes, ...ev.notes, ...baseNotes(opts.base)],
    summary: {
      files: project.files,
      resources: ev.resources.length,
      errors: live.filter((f) => f.severity === 'error').length,
      warnings: live.filter((f) => f.severity === 'warning').length,
      suppressed: findings.length - live.length,
    },
    resources,
  };
}

export interface ScanPathsOptions extends ReportOptions, Omit<LoadPathsOptions, 'limits' | 'exclude'> {
  /**
   * Charts, overlays and releases rendered by the caller (the core runs no processes): each set is judged
   * on its own, its findings pointing at the templates and patches it came from.
   */
  rendered?: readonly RenderedSet[];
  /** Notes and input errors from rendering (a chart not rendered, a render that failed). */
  renderNotes?: readonly LoadNote[];
  renderErrors?: readonly LoadError[];
}

/** Loads and evaluates paths: what `persistguard scan` and the Action run. */
export async function scanPaths(paths: string[], opts: ScanPathsOptions): Promise<ScanReport> {
  const { config, view, now, target, base, rendered, renderNotes, renderErrors, ...load } = opts;
  const project = await loadPaths(paths, { ...load, limits: config.limits, exclude: config.exclude });
  const renders = addRendered(project, { rendered, renderNotes, renderErrors }, config);
  return reportProjects(project, renders, { config, view, now, target, ...(base ? { base } : {}) });
}

/**
 * Builds the model of every rendered set and folds render notes and errors into the files' project (errors
 * and notes are reported once, with the files'); returns the rendered projects for {@link reportProjects}.
 */
export function addRendered(
  project: Project,
  input: Pick<ScanPathsOptions, 'rendered' | 'renderNotes' | 'renderErrors'>,
  config: ResolvedConfig,
): Project[] {
  project.notes.push(...(input.renderNotes ?? []));
  project.errors.push(...(input.renderErrors ?? []));
  const rendered = input.rendered ?? [];
  const renders = rendered.map((set) => loadRendered(set, { limits: config.limits }));
  // Templates, bases and patches judged through a render count as files scanned.
  project.files += new Set(rendered.flatMap((s) => s.documents.map((d) => d.file))).size;
  for (const r of renders) {
    project.errors.push(...r.errors);
    r.errors = [];
  }
  return renders;
}
