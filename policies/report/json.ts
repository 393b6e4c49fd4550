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

const FINDINGS_SLOT = '\n  "findings": []';

/**
 * The report's text in pieces, one per finding: joined, exactly `JSON.stringify(toJsonReport(report), null, 2)`
 * plus a newline, with controls escaped. A report of 19,000 findings is a 17 MB string, built next to a copy
 * of every finding and, on stdout, a buffer of the same size; in pieces none of them exists at once.
 */
export function* jsonReportChunks(report: ScanReport): Generator<string> {
  const shell = JSON.stringify(toJsonReport({ ...report, findings: [] }), null, 2);
  const at = shell.indexOf(FINDINGS_SLOT);
  if (report.findings.length === 0 || at < 0) {
    yield `${escapeJsonControls(JSON.stringify(toJsonReport(report), null, 2))}\n`;
    return;
  }
  const open = at + FINDINGS_SLOT.length - 1; // just after the `[`
  yield escapeJsonControls(shell.slice(0, open));
  const last = report.findings.length - 1;
  for (const [i, f] of report.findings.entries()) {
    // Nested two levels deep: every line of the finding's own text is indented by four more spaces.
    const text = JSON.stringify(finding(f), null, 2).replace(/\n/g, '\n    ');
    yield escapeJsonControls(`\n    ${text}${i < last ? ',' : ''}`);
  }
  yield `${escapeJsonControls(`\n  ${shell.slice(open)}`)}\n`;
}

export const jsonReporter: Reporter = {
  format: 'json',
  fileName: 'persistguard.json',
  render: (report) => [...jsonReportChunks(report)].join(''),
  chunks: (report) => jsonReportChunks(report),
};
