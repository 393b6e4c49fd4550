import type { Finding, ReportError, ScanReport } from '../model/findings.js';
import type { Reporter, ReporterOptions } from './types.js';

/**
 * `--format text` (the default): findings grouped by file and sorted by line, each as
 * `file:line:col  severity  rule-id  message` (clickable in terminals and editors), with the resource,
 * container and data path, then the fix, indented under it. Suppressed findings stay visible on one dimmed
 * line with their reason, so an exemption never hides a problem silently. Colour only when asked.
 */

type Paint = (s: string) => string;

interface Palette {
  red: Paint;
  yellow: Paint;
  cyan: Paint;
  dim: Paint;
  bold: Paint;
  green: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (s) =>
    `\u001b[${open}m${s}\u001b[${close}m`;

const COLOURS: Palette = {
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
  green: sgr(32, 39),
};
const identity: Paint = (s) => s;
const PLAIN: Palette = {
  red: identity,
  yellow: identity,
  cyan: identity,
  dim: identity,
  bold: identity,
  green: identity,
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function where(f: Finding): string {
  return f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file;
}

function subject(f: Finding): string {
  const r = f.resource;
  const name = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  // A source-file finding's resource is the file itself, already on the line above.
  const parts = r.kind === 'File' && r.name === f.file ? [] : [`${r.kind} ${name}`];
  // A compose service is its own container: naming it twice is noise.
  if (f.container !== undefined && !(r.kind === 'ComposeService' && f.container === r.name))
    parts.push(`container ${f.container}`);
  if (f.path !== undefined) parts.push(`path ${f.path}`);
  // With a line number the JSON path is noise; without one (admission objects) it is the only pointer.
  if (f.jsonPath !== undefined && f.line <= 0) parts.push(`at ${f.jsonPath}`);
  return parts.join(', ');
}

function byPosition(a: Finding, b: Finding): number {
  return a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId);
}

function indentBlock(text: string, pad: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l === '' ? '' : `${pad}${l}`))
    .join('\n');
}

function renderFinding(f: Finding, c: Palette): string {
  if (f.suppressed) {
    const why = f.suppression
      ? ` (${f.suppression.kind}: ${f.suppression.reason}${f.suppression.expires ? `, until ${f.suppression.expires}` : ''})`
      : '';
    return c.dim(`  ${where(f)}  suppressed  ${f.ruleId}  ${f.message}${why}`);
  }
  const sev = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
  const about = subject(f);
  const lines = [`  ${where(f)}  ${sev}  ${c.cyan(f.ruleId)}  ${f.message}`];
  if (about !== '') lines.push(c.dim(`      ${about}`));
  if (f.remediation.trim() !== '') {
    const [first, ...rest] = f.remediation.trim().split('\n');
    lines.push(`      fix: ${first ?? ''}`);
    if (rest.length > 0) lines.push(indentBlock(rest.join('\n'), '           '));
  }
  return lines.join('\n');
}

function renderError(e: ReportError): string {
  const pos = e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : '';
  return `  ${e.file}${pos}  ${e.message}`;
}

export function renderText(report: ScanReport, opts: Pick<ReporterOptions, 'color'> = {}): string {
  const c = opts.color ? COLOURS : PLAIN;
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const file of [...byFile.keys()].sort()) {
    const findings = (byFile.get(file) ?? []).slice().sort(byPosition);
    out.push(c.bold(file));
    out.push(...findings.map((f) => renderFinding(f, c)));
    out.push('');
  }
  if (report.errors.length > 0) {
    out.push(c.bold(c.red(`Input errors (${report.errors.length}): these files or documents were not checked`)));
    out.push(...report.errors.map(renderError));
    out.push('');
  }
  if (report.notes && report.notes.length > 0) {
    out.push(c.bold('Notes'));
    out.push(...report.notes.map((n) => `  ${n.file}  ${n.message}`));
    out.push('');
  }
  out.push(summaryLine(report, c));
  return `${out.join('\n')}\n`;
}

function summaryLine(report: ScanReport, c: Palette): string {
  const s = report.summary;
  const scanned = `${plural(s.files, 'file')}, ${plural(s.resources, 'resource')} scanned`;
  const parts: string[] = [];
  if (s.errors > 0) parts.push(c.red(plural(s.errors, 'error')));
  if (s.warnings > 0) parts.push(c.yellow(plural(s.warnings, 'warning')));
  if (s.suppressed > 0) parts.push(c.dim(`${s.suppressed} suppressed`));
  if (report.errors.length > 0) parts.push(c.red(plural(report.errors.length, 'input error')));
  if (parts.length === 0) return `${c.green('No data-loss risks found')} (${scanned}).`;
  const rules = [...new Set(report.findings.filter((f) => !f.suppressed).map((f) => f.ruleId))].sort();
  const hint =
    rules.length > 0 ? `\nRun 'persistguard explain ${rules[0]}' for why a rule matters and how to fix it.` : '';
  return `${parts.join(', ')} (${scanned}).${hint}`;
}

export const textReporter: Reporter = {
  format: 'text',
  fileName: 'persistguard.txt',
  render: (report, opts) => renderText(report, opts),
};
