/**
 * Names in a report come from the files being judged, and files can be hostile: a resource named
 * "x\n::add-mask::…" or "\u001b]8;;…" would inject GitHub workflow commands into a `run:` step's log or
 * escape sequences into a terminal. Every reporter passes what it prints through here.
 */
import type { Finding, ReportError, ScanReport } from '../model/findings.js';
import type { ResourceRef } from '../model/model.js';

/**
 * C0 and C1 controls, DEL, line/paragraph separators and bidirectional overrides (which can make a
 * terminal show text in another order than it is read).
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(c: string): string {
  return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Control characters shown as escapes (`\n`, `\u001b`): the text stays readable and inert. */
export function escapeControls(s: string): string {
  return s.replace(CONTROLS, visible);
}

/** The same, keeping line breaks (for texts that are multi-line on purpose, like a fix's steps). */
export function escapeControlsKeepNewlines(s: string): string {
  return s.replace(CONTROLS_BUT_NEWLINE, visible);
}

/**
 * GitHub runs any log line that starts with `::` as a workflow command: a zero-width space after the
 * first colon keeps such a line printable and inert.
 */
export function guardWorkflowCommands(text: string): string {
  return text.replace(/^(\s*):(?=:)/gm, '$1:\u200b');
}

/** For formats with their own escapes (JSON, YAML): the controls JSON.stringify leaves raw, as `\uXXXX`. */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, visible);
}

function ref(r: ResourceRef): ResourceRef {
  return {
    ...r,
    kind: escapeControls(r.kind),
    name: escapeControls(r.name),
    ...(r.namespace !== undefined ? { namespace: escapeControls(r.namespace) } : {}),
    ...(r.apiVersion !== undefined ? { apiVersion: escapeControls(r.apiVersion) } : {}),
  };
}

function finding(f: Finding): Finding {
  return {
    ...f,
    ruleId: escapeControls(f.ruleId),
    message: escapeControls(f.message),
    file: escapeControls(f.file),
    resource: ref(f.resource),
    remediation: escapeControlsKeepNewlines(f.remediation),
    ...(f.container !== undefined ? { container: escapeControls(f.container) } : {}),
    ...(f.path !== undefined ? { path: escapeControls(f.path) } : {}),
    ...(f.jsonPath !== undefined ? { jsonPath: escapeControls(f.jsonPath) } : {}),
    ...(f.suppression !== undefined
      ? { suppression: { ...f.suppression, reason: escapeControls(f.suppression.reason) } }
      : {}),
  };
}

function error(e: ReportError): ReportError {
  return { ...e, file: escapeControls(e.file), message: escapeControls(e.message) };
}

/** A copy of the report with every printed string made inert, for the human-readable formats. */
export function neutraliseReport(report: ScanReport): ScanReport {
  return {
    ...report,
    findings: report.findings.map(finding),
    errors: report.errors.map(error),
    ...(report.notes
      ? { notes: report.notes.map((n) => ({ ...n, file: escapeControls(n.file), message: escapeControls(n.message) })) }
      : {}),
    ...(report.resources
      ? { resources: report.resources.map((r) => ({ ...r, file: escapeControls(r.file), resource: ref(r.resource) })) }
      : {}),
  };
}
