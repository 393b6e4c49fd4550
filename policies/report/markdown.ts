/**
 * Markdown: the GitHub job summary, the PR comment and a standalone `persistguard.md` are all this text.
 * It stays under a byte budget (GitHub's job summary limit is 1 MiB) by cutting whole table rows and
 * saying what was cut and where to find it.
 */
import type { Finding, ScanReport } from '../model/findings.js';
import type { ResourceRef } from '../model/model.js';
import { ruleDocsUrl, TOOL_NAME } from '../model/version.js';
import { byPosition } from './sarif.js';
import type { Reporter, ReporterOptions } from './types.js';
import { escapeControls, neutraliseReport } from './safe-text.js';

/** GitHub rejects job summaries over 1 MiB; leave room for what the runner adds around ours. */
export const DEFAULT_MARKDOWN_BYTES = 1_000_000;
/** Tables longer than this are collapsed behind a `<details>`. */
const COLLAPSE_ROWS = 15;

export const markdownReporter: Reporter = {
  format: 'markdown',
  fileName: 'persistguard.md',
  render: (report, opts) => renderMarkdown(report, opts),
};

export interface MarkdownOptions extends ReporterOptions {
  /** Heading level of the title (2 in a job summary; the PR comment uses the same). */
  title?: string;
  /** A line added under the truncation note, e.g. where the artifact is. */
  moreInfo?: string;
  /** Links a position to where it can be read (the Action: the file at the commit on GitHub). */
  linkTo?: (file: string, line: number) => string | undefined;
}

export function renderMarkdown(input: ScanReport, opts: MarkdownOptions): string {
  const report = neutraliseReport(input);
  const budget = new Budget(opts.maxBytes ?? DEFAULT_MARKDOWN_BYTES);
  const active = report.findings.filter((f) => !f.suppressed && f.baseline !== 'existing');
  const existing = report.findings.filter((f) => !f.suppressed && f.baseline === 'existing');
  const suppressed = report.findings.filter((f) => f.suppressed);

  budget.add(`## ${opts.title ?? `${TOOL_NAME}: ${headline(active, report.errors.length)}`}\n\n`);
  budget.add(`${totals(report, active, existing.length, suppressed.length)}\n\n`);

  if (active.length === 0 && report.errors.length === 0) {
    budget.add(
      existing.length > 0
        ? 'No new data-loss risks compared with the baseline. :white_check_mark:\n\n'
        : 'No data-loss risks found. :white_check_mark:\n\n',
    );
  }
  let omitted = 0;
  for (const [file, findings] of groupByFile(active)) {
    omitted += budget.section(
      `### \`${codeSpan(file)}\`\n\n`,
      findings.map((f) => row(f, false, opts.linkTo)),
      findings.length > COLLAPSE_ROWS ? `${findings.length} findings in ${escapeCell(file)}` : undefined,
    );
  }
  if (existing.length > 0) {
    omitted += budget.section(
      '### Existing findings\n\nAlready in the baseline: shown for context, they do not fail the check.\n\n',
      [...existing].sort(byPosition).map((f) => row(f, true, opts.linkTo)),
      `${existing.length} existing finding${plural(existing.length)}`,
      true,
    );
  }
  if (suppressed.length > 0) {
    omitted += budget.section(
      '### Suppressed findings\n\n',
      [...suppressed].sort(byPosition).map(suppressedRow),
      `${suppressed.length} suppressed finding${plural(suppressed.length)}`,
      true,
      SUPPRESSED_HEADER,
    );
  }
  if (report.errors.length > 0) {
    const lines = report.errors.map(
      (e) =>
        `- \`${codeSpan(e.file)}${e.line ? `:${e.line}` : ''}${e.column ? `:${e.column}` : ''}\`: ${escapeInline(e.message)}\n`,
    );
    omitted += budget.list('### Files that could not be checked\n\n', lines);
  }
  if (report.notes && report.notes.length > 0) {
    omitted += budget.list(
      '### Notes\n\n',
      report.notes.map((n) => `- \`${codeSpan(n.file)}\`: ${escapeInline(n.message)}\n`),
    );
  }
  if (omitted > 0) {
    budget.force(
      `\n> [!NOTE]\n> ${omitted} more line${plural(omitted)} left out to stay under GitHub's summary size limit. ` +
        `The SARIF and JSON reports list every finding.${opts.moreInfo ? ` ${escapeInline(opts.moreInfo)}` : ''}\n`,
    );
  }
  return budget.text();
}

const TABLE_HEADER = '| | Rule | Resource | Container | Path | Line | Message |\n|---|---|---|---|---|---|---|\n';
const SUPPRESSED_HEADER = '| Rule | Resource | Location | Reason |\n|---|---|---|---|\n';

function row(f: Finding, withFile: boolean, linkTo: MarkdownOptions['linkTo']): string {
  const text = withFile ? `${escapeCell(f.file)}:${f.line}` : String(f.line);
  const url = f.line >= 1 ? linkTo?.(f.file, f.line) : undefined;
  const where = url ? `[${text}](${url})` : text;
  const message = f.remediation
    ? `${escapeCell(f.message)}<br>**Fix:** ${escapeCell(f.remediation)}`
    : escapeCell(f.message);
  return `| ${f.severity === 'error' ? ':x:' : ':warning:'} | [${escapeCell(f.ruleId)}](${ruleDocsUrl(f.ruleId)}) | ${escapeCell(resourceLabel(f.resource))} | ${escapeCell(f.container ?? '')} | ${f.path ? `\`${codeSpan(f.path)}\`` : ''} | ${where} | ${message} |\n`;
}

function suppressedRow(f: Finding): string {
  const reason = f.suppression
    ? `${escapeCell(f.suppression.reason)} (${f.suppression.kind}${f.suppression.expires ? `, expires ${escapeCell(f.suppression.expires)}` : ''})`
    : '';
  return `| [${escapeCell(f.ruleId)}](${ruleDocsUrl(f.ruleId)}) | ${escapeCell(resourceLabel(f.resource))} | ${escapeCell(f.file)}:${f.line} | ${reason} |\n`;
}

export function resourceLabel(r: ResourceRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function headline(active: Finding[], unreadable: number): string {
  const errors = active.filter((f) => f.severity === 'error').length;
  const warnings = active.length - errors;
  const parts = [
    errors > 0 ? `${errors} error${plural(errors)}` : '',
    warnings > 0 ? `${warnings} warning${plural(warnings)}` : '',
    unreadable > 0 ? `${unreadable} file${plural(unreadable)} not checked` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'no data-loss risks';
}

function totals(report: ScanReport, active: Finding[], existing: number, suppressed: number): string {
  const errors = active.filter((f) => f.severity === 'error').length;
  const parts = [
    `**${errors}** error${plural(errors)}`,
    `**${active.length - errors}** warning${plural(active.length - errors)}`,
    ...(existing > 0 ? [`${existing} existing (baseline)`] : []),
    `${suppressed} suppressed`,
    `${report.summary.resources} resource${plural(report.summary.resources)} in ${report.summary.files} file${plural(report.summary.files)} checked`,
    ...(report.errors.length > 0 ? [`**${report.errors.length}** file error${plural(report.errors.length)}`] : []),
  ];
  return parts.join(' · ');
}

export function groupByFile(findings: Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of [...findings].sort(byPosition)) {
    const list = groups.get(f.file);
    if (list) list.push(f);
    else groups.set(f.file, [f]);
  }
  return groups;
}

/** A table cell: no row breaks, no column breaks, no raw HTML (messages quote user input). */
export function escapeCell(s: string): string {
  return escapeInline(s).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/**
 * Text as Markdown that shows it literally, except `code spans` the rule texts use on purpose (paired
 * backticks on one line), which stay code. HTML is always escaped: messages quote user input.
 */
function escapeInline(s: string): string {
  const html = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  let out = '';
  let last = 0;
  for (const m of html.matchAll(/`[^`\n]+`/g)) {
    out += escapeMarks(html.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeMarks(html.slice(last));
}

/** Markdown marks shown literally; `@name` and `#123` broken with a zero-width space so nobody is pinged. */
function escapeMarks(s: string): string {
  return s.replace(/([\\`*_[\]~])/g, '\\$1').replace(/(?<![\w@#])([@#])(?=[\w-])/g, '$1\u200b');
}

/**
 * Text inside backticks: backticks cannot be escaped there, so they are replaced; pipes still split tables;
 * control characters (a lone `\r` ends the span) are shown as escapes.
 */
export function codeSpan(s: string): string {
  return escapeControls(s).replace(/`/g, "'").replace(/\|/g, '\\|');
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/** Appends text while it fits; counts what did not. */
class Budget {
  private parts: string[] = [];
  private used = 0;
  /** Room kept free for the truncation note. */
  private readonly reserve = 400;

  constructor(private readonly max: number) {}

  add(s: string): boolean {
    const size = Buffer.byteLength(s);
    if (this.used + size > this.max - this.reserve) return false;
    this.parts.push(s);
    this.used += size;
    return true;
  }

  force(s: string): void {
    this.parts.push(s);
    this.used += Buffer.byteLength(s);
  }

  /** A heading and a table, collapsed when `summary` is given; returns the rows that did not fit. */
  section(
    heading: string,
    rows: string[],
    summary: string | undefined,
    withFile = false,
    header = withFile ? TABLE_HEADER.replace('| Line |', '| Location |') : TABLE_HEADER,
  ): number {
    const open = summary ? `<details><summary>${summary}</summary>\n\n` : '';
    const close = summary ? '\n</details>\n\n' : '\n';
    const closeSize = Buffer.byteLength(close);
    if (!this.add(`${heading}${open}${header}`)) return rows.length;
    let i = 0;
    for (; i < rows.length; i++) {
      const r = rows[i] ?? '';
      if (this.used + Buffer.byteLength(r) + closeSize > this.max - this.reserve) break;
      this.add(r);
    }
    this.force(close);
    return rows.length - i;
  }

  list(heading: string, lines: string[]): number {
    if (!this.add(heading)) return lines.length;
    let i = 0;
    for (; i < lines.length; i++) if (!this.add(lines[i] ?? '')) break;
    this.force('\n');
    return lines.length - i;
  }

  text(): string {
    return this.parts.join('');
  }
}
