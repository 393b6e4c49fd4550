/**
 * Annotations on the changed lines. GitHub shows at most 10 error and 10 warning annotations per step
 * (50 per job) and silently drops the rest, so the most important ones go first and one notice says how
 * many were left out and where the full list is.
 */
import type { AnnotationProperties } from '@actions/core';
import type { Finding, ScanReport } from '../policies/index.js';
import { byPosition, neutraliseReport } from '../policies/index.js';

export const MAX_PER_LEVEL = 10;

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  properties: AnnotationProperties;
}

export function planAnnotations(input: ScanReport, where = 'the job summary and the SARIF report'): Annotation[] {
  // Messages quote names from the files: control characters would reach the log raw (core escapes only CR/LF/%).
  const report = neutraliseReport(input);
  const active = report.findings.filter((f) => !f.suppressed && f.baseline !== 'existing');
  const errors = active
    .filter((f) => f.severity === 'error')
    .sort(byPosition)
    .map(findingAnnotation);
  // An unreadable file may hide findings: it is an error too, after the findings themselves.
  errors.push(
    ...report.errors.map((e): Annotation => ({
      level: 'error',
      message: e.message,
      properties: {
        title: 'persistguard: file not checked',
        file: e.file,
        ...(e.line ? { startLine: e.line, endLine: e.line } : {}),
        ...(e.line && e.column ? { startColumn: e.column } : {}),
      },
    })),
  );
  const warnings = active
    .filter((f) => f.severity === 'warning')
    .sort(byPosition)
    .map(findingAnnotation);
  const shown = [...errors.slice(0, MAX_PER_LEVEL), ...warnings.slice(0, MAX_PER_LEVEL)];
  const leftErrors = Math.max(0, errors.length - MAX_PER_LEVEL);
  const leftWarnings = Math.max(0, warnings.length - MAX_PER_LEVEL);
  if (leftErrors + leftWarnings > 0) {
    const parts = [
      leftErrors ? `${leftErrors} error${leftErrors === 1 ? '' : 's'}` : '',
      leftWarnings ? `${leftWarnings} warning${leftWarnings === 1 ? '' : 's'}` : '',
    ].filter(Boolean);
    shown.push({
      level: 'notice',
      message: `${parts.join(' and ')} more than GitHub shows as annotations (${MAX_PER_LEVEL} per level per step). Every finding is in ${where}.`,
      properties: { title: 'persistguard: more findings' },
    });
  }
  return shown;
}

function findingAnnotation(f: Finding): Annotation {
  const message = [f.message, f.remediation ? `Fix: ${f.remediation}` : ''].filter(Boolean).join('\n');
  return { level: f.severity, message, properties: position(f) };
}

/** GitHub honours columns only for single-line annotations; admission findings (line 0) get the file only. */
function position(f: Finding): AnnotationProperties {
  const props: AnnotationProperties = { title: f.ruleId, file: f.file };
  if (f.line < 1) return props;
  const endLine = f.endLine !== undefined && f.endLine >= f.line ? f.endLine : f.line;
  props.startLine = f.line;
  props.endLine = endLine;
  if (endLine === f.line && f.column >= 1) {
    props.startColumn = f.column;
    if (f.endColumn !== undefined && f.endColumn >= f.column) props.endColumn = f.endColumn;
  }
  return props;
}
