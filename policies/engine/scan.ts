/**
 * The whole verdict as the JSON contract: evaluate, then resolve positions only for what is reported.
 */
import type { ResolvedConfig } from '../config/types.js';
import type { EvaluatedResource, Finding, ScanReport } from '../model/findings.js';
import type { DocRef, Project } from '../model/model.js';
import { mergeProject, emptyProject } from '../model/model.js';
import type { ClusterView } from '../model/cluster-view.js';
import type { LoadPathsOptions } from '../load/index.js';
import { loadObject, loadPaths } from '../load/index.js';
import { createLocator } from '../locate/locate.js';
import { evaluate } from './engine.js';
import { VERSION } from '../model/version.js';

export interface ReportOptions {
  config: ResolvedConfig;
  view?: ClusterView;
  now?: Date;
  /** The project before the change; see `EvaluateOptions.base`. */
  base?: Project;
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
  const ev = evaluate(project, { config: opts.config, view: opts.view, now: opts.now, base: opts.base });
  const locate = createLocator();
  const findings: Finding[] = ev.findings.map(({ at, ...rest }) => {
    const loc = locate(at);
    const f: Finding = { ...rest, file: loc.file, line: loc.line, column: loc.column };
    if (loc.endLine !== undefined) f.endLine = loc.endLine;
    if (loc.endColumn !== undefined) f.endColumn = loc.endColumn;
    if (loc.jsonPath !== undefined) f.jsonPath = loc.jsonPath;
    return f;
  });
  findings.sort(compareFindings);
  // Positions for passing resources: re-parsing every document just to list passes would cost what the
  // late-anchor design saves, so only documents that already have findings are located precisely; the
  // others point at the start of their document.
  const docsWithFindings = new Set(ev.findings.flatMap((f) => (f.at.kind === 'node' ? [docKey(f.at.doc)] : [])));
  const resources: EvaluatedResource[] = ev.resources.map((r) => {
    if (r.at.kind === 'node' && !docsWithFindings.has(docKey(r.at.doc))) {
      return {
        resource: r.resource,
        file: r.at.doc.file,
        line: r.at.doc.text !== undefined ? (r.at.doc.lineOffset ?? 1) : 0,
        column: r.at.doc.text !== undefined ? 1 : 0,
      };
    }
    const loc = locate(r.at);
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

/** Loads and evaluates paths: what `persistguard scan` and the Action run. */
export async function scanPaths(
  paths: string[],
  opts: ReportOptions & Omit<LoadPathsOptions, 'limits' | 'exclude'>,
): Promise<ScanReport> {
  const { config, view, now, base, ...load } = opts;
  const project = await loadPaths(paths, { ...load, limits: config.limits, exclude: config.exclude });
  return reportProject(project, { config, view, now, ...(base ? { base } : {}) });
}

/**
 * Evaluates already-parsed objects (the webhook's `request.object`, a `--from-cluster` audit): no files, so
 * findings carry JSON paths. Pure and cheap: one small project per call.
 */
export function reportObjects(objects: readonly unknown[], doc: DocRef, opts: ReportOptions): ScanReport {
  const project = emptyProject();
  objects.forEach((o, i) => mergeProject(project, loadObject(o, { ...doc, index: doc.index + i })));
  return reportProject(project, opts);
}
