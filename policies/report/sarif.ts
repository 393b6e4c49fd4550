/**
 * SARIF 2.1.0, as GitHub code scanning reads it: one run, every rule described in `tool.driver.rules`,
 * results with exact regions and fingerprints that survive unrelated edits (so alerts are tracked across
 * pushes instead of being closed and reopened when lines move).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findingKey } from './baseline.js';
import type { Finding, ReportError, ScanReport, Severity } from '../model/findings.js';
import type { RuleMeta } from '../rules/rule.js';
import { REPO_URL, ruleDocsUrl, TOOL_NAME } from '../model/version.js';
import { escapeJsonControls } from './safe-text.js';
import type { Reporter, ReporterOptions } from './types.js';

/** GitHub code scanning rejects runs with more results than this. */
export const SARIF_MAX_RESULTS = 25_000;
const SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const FINGERPRINT_KEY = 'persistguard/v1';

type Level = 'error' | 'warning' | 'note';
type Json = Record<string, unknown>;

export const sarifReporter: Reporter = {
  format: 'sarif',
  fileName: 'persistguard.sarif',
  render: (report, opts) => `${escapeJsonControls(JSON.stringify(toSarif(report, opts), null, 2))}\n`,
};

/**
 * Where a report's `file` lives for SARIF: relative to %SRCROOT% when it is inside it (always, unless a scan
 * mixes trees), else an absolute `file:` URI with no base: never an absolute path with a uriBaseId.
 */
type Locate = (file: string) => Json;

function artifactLocator(opts: ReporterOptions): { locate: Locate; baseUri?: string } {
  if (opts.srcRoot === undefined) {
    const locate: Locate = (file) =>
      path.isAbsolute(file) || /^[a-zA-Z]:[\\/]/.test(file)
        ? { uri: pathToFileURL(file).href }
        : { uri: fileUri(file), uriBaseId: '%SRCROOT%' };
    return { locate, ...(opts.baseUri ? { baseUri: opts.baseUri } : {}) };
  }
  const root = path.resolve(opts.srcRoot);
  const cwd = opts.cwd ?? root;
  const locate: Locate = (file) => {
    if (file.startsWith('<')) return { uri: fileUri(file), uriBaseId: '%SRCROOT%' }; // <stdin>, cluster objects
    const abs = path.resolve(cwd, file);
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
    return { uri: fileUri(rel.split(path.sep).join('/')), uriBaseId: '%SRCROOT%' };
  };
  return { locate, ...(opts.baseUri ? { baseUri: opts.baseUri } : {}) };
}

export function toSarif(report: ScanReport, opts: ReporterOptions): Json {
  const { locate, baseUri } = artifactLocator(opts);
  const location = (
    file: string,
    line: number | undefined,
    column: number | undefined,
    endLine?: number,
    endColumn?: number,
    jsonPath?: string,
  ): Json => physicalLocation(locate(file), line, column, endLine, endColumn, jsonPath);
  const { rules, indexOf } = driverRules(report, opts.rules);
  // Errors first, so a truncated run keeps what matters most.
  const ordered = [...report.findings].sort(byImportance);
  const kept = ordered.slice(0, SARIF_MAX_RESULTS);
  const dropped = ordered.length - kept.length;
  const seen = new Map<string, number>();
  const results = kept.map((f) => result(f, indexOf, seen, location));

  const notifications: Json[] = report.errors.map((e) => errorNotification(e, location));
  if (dropped > 0) {
    notifications.push({
      level: 'warning',
      message: {
        text: `${dropped} of ${ordered.length} results were left out: code scanning accepts at most ${SARIF_MAX_RESULTS} per run. The JSON report has all of them.`,
      },
    });
  }
  const run: Json = {
    tool: {
      driver: {
        name: TOOL_NAME,
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: REPO_URL,
        rules,
      },
    },
    invocations: [
      {
        executionSuccessful: true,
        ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
      },
    ],
    results,
    columnKind: 'unicodeCodePoints',
    properties: {
      summary: report.summary,
      ...(dropped > 0 ? { truncated: true, droppedResults: dropped } : {}),
    },
  };
  if (baseUri) run.originalUriBaseIds = { '%SRCROOT%': { uri: baseUri.endsWith('/') ? baseUri : `${baseUri}/` } };
  return { $schema: SCHEMA_URI, version: '2.1.0', runs: [run] };
}

function driverRules(report: ScanReport, metas: readonly RuleMeta[]): { rules: Json[]; indexOf: Map<string, number> } {
  const byId = new Map(metas.map((m) => [m.id, m]));
  const ids = [...new Set([...metas.map((m) => m.id), ...report.findings.map((f) => f.ruleId)])];
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => {
    const meta = byId.get(id);
    if (!meta) return { id, name: ruleName(id), helpUri: ruleDocsUrl(id) };
    return {
      id,
      name: ruleName(id),
      shortDescription: { text: meta.description },
      fullDescription: { text: meta.rationale },
      help: {
        text: `${meta.rationale}\n\nFix: ${meta.remediation}\n\nDocs: ${ruleDocsUrl(id)}`,
        markdown: `${meta.rationale}\n\n**Fix:** ${meta.remediation}\n\n[Rule documentation](${ruleDocsUrl(id)})`,
      },
      helpUri: ruleDocsUrl(id),
      defaultConfiguration: { level: level(meta.defaultSeverity) },
      properties: {
        tags: ['persistence', 'data-loss', 'reliability'],
        precision: 'high',
        'problem.severity': meta.defaultSeverity,
      },
    };
  });
  return { rules, indexOf };
}

type LocationOf = (
  file: string,
  line: number | undefined,
  column: number | undefined,
  endLine?: number,
  endColumn?: number,
  jsonPath?: string,
) => Json;

function result(f: Finding, indexOf: Map<string, number>, seen: Map<string, number>, location: LocationOf): Json {
  const key = `${f.file}\u0000${findingKey(f)}`;
  const occurrence = (seen.get(key) ?? 0) + 1;
  seen.set(key, occurrence);
  const text = f.remediation ? `${f.message}\nFix: ${f.remediation}` : f.message;
  const out: Json = {
    ruleId: f.ruleId,
    ruleIndex: indexOf.get(f.ruleId) ?? 0,
    level: level(f.severity),
    message: { text },
    locations: [location(f.file, f.line, f.column, f.endLine, f.endColumn, f.jsonPath)],
    // Line-free on purpose: rule + resource + container + data path, within the file.
    partialFingerprints: { [FINGERPRINT_KEY]: `${sha256(key)}:${occurrence}` },
    properties: {
      resource: f.resource,
      ...(f.container !== undefined ? { container: f.container } : {}),
      ...(f.path !== undefined ? { dataPath: f.path } : {}),
    },
  };
  if (f.suppressed) {
    out.suppressions = [
      {
        kind: f.suppression?.kind === 'annotation' || f.suppression?.kind === 'comment' ? 'inSource' : 'external',
        status: 'accepted',
        justification: f.suppression?.reason ?? 'suppressed',
      },
    ];
  }
  if (f.baseline) out.baselineState = f.baseline === 'existing' ? 'unchanged' : 'new';
  return out;
}

function physicalLocation(
  artifactLocation: Json,
  line: number | undefined,
  column: number | undefined,
  endLine?: number,
  endColumn?: number,
  jsonPath?: string,
): Json {
  const physical: Json = { artifactLocation };
  // SARIF lines start at 1: admission objects (line 0) get no region rather than an invalid one.
  if (line !== undefined && line >= 1) {
    const region: Json = { startLine: line };
    if (column !== undefined && column >= 1) region.startColumn = column;
    if (endLine !== undefined && endLine >= line) {
      region.endLine = endLine;
      if (endColumn !== undefined && endColumn >= 1 && (endLine > line || column === undefined || endColumn >= column))
        region.endColumn = endColumn;
    }
    physical.region = region;
  }
  const loc: Json = { physicalLocation: physical };
  if (jsonPath) loc.logicalLocations = [{ fullyQualifiedName: jsonPath, kind: 'member' }];
  return loc;
}

function errorNotification(e: ReportError, location: LocationOf): Json {
  return {
    level: 'error',
    message: { text: `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}` },
    locations: [location(e.file, e.line, e.column)],
  };
}

/** A relative URI reference: forward slashes, each segment percent-encoded (spaces, `#`, `<stdin>`). */
export function fileUri(file: string): string {
  return file
    .replace(/\\/g, '/')
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function level(s: Severity): Level {
  return s === 'error' ? 'error' : 'warning';
}

function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase());
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

/** Unsuppressed errors, then warnings, then suppressed; by file and position within each. */
export function byImportance(a: Finding, b: Finding): number {
  return rank(a) - rank(b) || byPosition(a, b);
}

export function byPosition(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}

function rank(f: Finding): number {
  if (f.suppressed) return 4;
  const base = f.severity === 'error' ? 0 : 1;
  return f.baseline === 'existing' ? base + 2 : base;
}
