import type { Finding, ReportError, ScanReport } from '../model/findings.js';
import type { Reporter, ReporterOptions } from './types.js';
import { guardWorkflowCommands, neutraliseReport } from './safe-text.js';

/**
 * `--format text` (the default): one header per file, then its findings sorted by line, each as
 * `line:col  severity  rule-id  message`, with the resource, container and data path (or image, or claim),
 * then the fix, indented under it and wrapped to the terminal's width. Suppressed findings stay visible,
 * dimmed, with their reason, so an exemption never hides a problem silently. Colour only when asked.
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
  return f.line > 0 ? `${f.line}:${f.column}` : '-';
}

/** What a finding's `path` holds, by rule: most rules name a data path, some an image or a claim. */
const SUBJECT_LABEL: Record<string, string> = {
  'k3s-image-import': 'image',
  'pvc-missing': 'claim',
  'rwo-shared-claim': 'claim',
};

export function pathLabel(f: Pick<Finding, 'ruleId' | 'path'>): string {
  const known = SUBJECT_LABEL[f.ruleId];
  if (known) return known;
  return f.path === undefined || f.path.startsWith('/') || f.path.startsWith('~') ? 'path' : 'claim';
}

function subject(f: Finding): string {
  const r = f.resource;
  const name = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  // A source-file finding's resource is the file itself, already the header.
  const parts = r.kind === 'File' && r.name === f.file ? [] : [`${r.kind} ${name}`];
  // A compose service is its own container: naming it twice is noise.
  if (f.container !== undefined && !(r.kind === 'ComposeService' && f.container === r.name))
    parts.push(`container ${f.container}`);
  if (f.path !== undefined) parts.push(`${pathLabel(f)} ${f.path}`);
  // With a line number the JSON path is noise; without one (admission objects) it is the only pointer.
  if (f.jsonPath !== undefined && f.line <= 0) parts.push(`at ${f.jsonPath}`);
  return parts.join(', ');
}

function byPosition(a: Finding, b: Finding): number {
  return a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId);
}

/**
 * Words of `text` in lines of at most `width` columns, the first after `firstUsed` columns, the others
 * indented by `pad`. A word longer than a line (a URL, a path) is kept whole rather than cut.
 */
export function wrap(text: string, width: number, firstUsed: number, pad: string): string[] {
  const lines: string[] = [];
  let line = '';
  let used = firstUsed;
  for (const word of text.split(' ')) {
    if (line !== '' && used + 1 + word.length > width) {
      lines.push(line);
      line = word;
      used = pad.length + word.length;
    } else {
      used += (line === '' ? 0 : 1) + word.length;
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${pad}${l}`));
}

const DETAIL = '      ';

function renderFinding(f: Finding, c: Palette, width: number): string {
  if (f.suppressed) {
    const why = f.suppression
      ? ` (${f.suppression.kind}: ${f.suppression.reason}${f.suppression.expires ? `, until ${f.suppression.expires}` : ''})`
      : '';
    const head = `  ${where(f)}  suppressed  ${f.ruleId}  `;
    return wrap(`${f.message}${why}`, width, head.length, DETAIL)
      .map((l, i) => c.dim(i === 0 ? `${head}${l}` : l))
      .join('\n');
  }
  const sevText = f.severity === 'error' ? 'error  ' : 'warning';
  const head = `  ${where(f)}  ${sevText}  ${f.ruleId}  `;
  const sev = f.severity === 'error' ? c.red(sevText) : c.yellow(sevText);
  const [first = '', ...more] = wrap(f.message, width, head.length, DETAIL);
  const lines = [`  ${where(f)}  ${sev}  ${c.cyan(f.ruleId)}  ${first}`, ...more];
  const about = subject(f);
  if (about !== '')
    lines.push(...wrap(about, width, DETAIL.length, DETAIL).map((l, i) => c.dim(i === 0 ? `${DETAIL}${l}` : l)));
  if (f.remediation.trim() !== '') {
    const fixPad = `${DETAIL}     `;
    f.remediation
      .trim()
      .split('\n')
      .forEach((step, i) => {
        const lead = `${i === 0 ? `${DETAIL}fix: ` : fixPad}${/^\s*/.exec(step)?.[0] ?? ''}`;
        if (step.trim() === '') return;
        const [head1 = '', ...rest] = wrap(step.trim(), width, lead.length, ' '.repeat(lead.length));
        lines.push(`${lead}${head1}`, ...rest);
      });
  }
  return lines.join('\n');
}

function renderError(e: ReportError, width: number): string {
  const pos = e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : '';
  const head = `  ${e.file}${pos}  `;
  const [first = '', ...more] = wrap(e.message, width, head.length, DETAIL);
  return [`${head}${first}`, ...more].join('\n');
}

export function renderText(report: ScanReport, opts: Pick<ReporterOptions, 'color' | 'width' | 'quiet'> = {}): string {
  const c = opts.color ? COLOURS : PLAIN;
  const width = opts.width ?? Infinity;
  const safe = neutraliseReport(report);
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of safe.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const file of [...byFile.keys()].sort()) {
    const findings = (byFile.get(file) ?? []).slice().sort(byPosition);
    out.push(c.bold(file));
    out.push(...findings.map((f) => renderFinding(f, c, width)));
    out.push('');
  }
  if (safe.errors.length > 0) {
    out.push(c.bold(c.red(`Input errors (${safe.errors.length}): these files or documents were not checked`)));
    out.push(...safe.errors.map((e) => renderError(e, width)));
    out.push('');
  }
  if (safe.notes && safe.notes.length > 0) {
    out.push(c.bold('Notes'));
    out.push(...safe.notes.map((n) => renderError(n, width)));
    out.push('');
  }
  if (opts.quiet) {
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return guardWorkflowCommands(out.length > 0 ? `${out.join('\n')}\n` : '');
  }
  out.push(summaryLine(safe, c, width));
  return guardWorkflowCommands(`${out.join('\n')}\n`);
}

function summaryLine(report: ScanReport, c: Palette, width: number): string {
  const s = report.summary;
  const scanned = `${plural(s.files, 'file')}, ${plural(s.resources, 'resource')} scanned`;
  const parts: string[] = [];
  if (s.errors > 0) parts.push(c.red(plural(s.errors, 'error')));
  if (s.warnings > 0) parts.push(c.yellow(plural(s.warnings, 'warning')));
  if (s.suppressed > 0) parts.push(c.dim(`${s.suppressed} suppressed`));
  if (report.errors.length > 0) parts.push(c.red(plural(report.errors.length, 'input error')));
  if (parts.length === 0) return `${c.green('No data-loss risks found')} (${scanned}).`;
  return `${parts.join(', ')} (${scanned}).${closingHint(report, width)}`;
}

/** Names every rule that has an active finding, so each one is a copy-paste away from its explanation. */
function closingHint(report: ScanReport, width: number): string {
  const rules = [...new Set(report.findings.filter((f) => !f.suppressed).map((f) => f.ruleId))].sort();
  if (rules.length === 0) return '';
  const text =
    rules.length === 1
      ? `Run 'persistguard explain ${rules[0]}' for why this rule matters and how to fix it.`
      : `Run 'persistguard explain RULE' for why a rule matters and how to fix it; rules found: ${rules.join(', ')}.`;
  return `\n${wrap(text, width, 0, '').join('\n')}`;
}

export const textReporter: Reporter = {
  format: 'text',
  fileName: 'persistguard.txt',
  render: (report, opts) => renderText(report, opts),
};
