import type { Finding, ReportError, ScanReport } from '../model/findings.js';
import type { ResourceRef } from '../model/model.js';
import { escapeJsonControls } from './safe-text.js';
import type { Reporter } from './types.js';

/**
 * `--format json`: the `ScanReport` contract, pretty-printed, keys always in the same order so reports
 * diff cleanly between runs. Optional fields are left out when absent (a compose resource is exactly
 * `{kind: "ComposeService", name}`); `resources` is left out: it is for reporters that list passes.
 */

function resource(r: ResourceRef): ResourceRef {
  return {
    ...(r.apiVersion !== undefined ? { apiVersion: r.apiVersion } : {}),
    kind: r.kind,
    ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
    name: r.name,
  };
}

function finding(f: Finding): Finding {
  return {
    ruleId: f.ruleId,
    ...(f.messageId !== undefined ? { messageId: f.messageId } : {}),
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    ...(f.endLine !== undefined ? { endLine: f.endLine } : {}),
    ...(f.endColumn !== undefined ? { endColumn: f.endColumn } : {}),
    ...(f.jsonPath !== undefined ? { jsonPath: f.jsonPath } : {}),
    resource: resource(f.resource),
    ...(f.container !== undefined ? { container: f.container } : {}),
    ...(f.path !== undefined ? { path: f.path } : {}),
    remediation: f.remediation,
    suppressed: f.suppressed,
    ...(f.suppression !== undefined
      ? {
          suppression: {
            kind: f.suppression.kind,
            reason: f.suppression.reason,
            ...(f.suppression.expires !== undefined ? { expires: f.suppression.expires } : {}),
          },
        }
      : {}),
    ...(f.baseline !== undefined ? { baseline: f.baseline } : {}),
    ...(f.renderedBy !== undefined ? { renderedBy: f.renderedBy } : {}),
  };
}

function error(e: ReportError): ReportError {
  return {
    file: e.file,
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.column !== undefined ? { column: e.column } : {}),
    message: e.message,
  };
}

export function toJsonReport(report: ScanReport): ScanReport {
  return {
    tool: { name: report.tool.name, version: report.tool.version },
    findings: report.findings.map(finding),
    errors: report.errors.map(error),
    ...(report.notes && report.notes.length > 0
      ? { notes: report.notes.map((n) => ({ file: n.file, message: n.message })) }
      : {}),
    summary: {
      files: report.summary.files,
      resources: report.summary.resources,
      errors: report.summary.errors,
      warnings: report.summary.warnings,
      suppressed: report.summary.suppressed,
    },
  };
}

export const jsonReporter: Reporter = {
  format: 'json',
  fileName: 'persistguard.json',
  render: (report) => `${escapeJsonControls(JSON.stringify(toJsonReport(report), null, 2))}\n`,
};
