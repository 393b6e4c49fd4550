/**
 * JUnit XML for CI test viewers: one testsuite per file; one testcase per finding (so a viewer that shows
 * one failure per case shows them all) and one passing testcase per judged resource without findings; an
 * `<error>` testcase for each file that could not be read. A warning is a `<failure>` only when it fails
 * the run (`--fail-on warning`); otherwise it is a passing case whose output says what was found.
 * Suppressed findings are `<skipped>` with their reason.
 */
import type { Finding, FailOn, ReportError, ScanReport } from '../model/findings.js';
import { ruleDocsUrl, TOOL_NAME } from '../model/version.js';
import { resourceLabel } from './markdown.js';
import { byPosition } from './sarif.js';
import { guardWorkflowCommands, neutraliseReport } from './safe-text.js';
import type { Reporter, ReporterOptions } from './types.js';

export const junitReporter: Reporter = {
  format: 'junit',
  fileName: 'persistguard.junit.xml',
  render: (report, opts) => renderJunit(report, opts),
};

interface Suite {
  file: string;
  cases: string[];
  /** Case names used so far: viewers merge cases with the same name, so repeats get ` (2)`, ` (3)`, … */
  names: Map<string, number>;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** Errors always fail; warnings only at `fail-on: warning`; existing (baseline) findings never. */
function fails(f: Finding, failOn: FailOn): boolean {
  if (f.suppressed || f.baseline === 'existing') return false;
  return f.severity === 'error' || failOn === 'warning';
}

function caseName(f: Finding): string {
  const parts = [`${f.ruleId}: ${resourceLabel(f.resource)}`];
  if (f.container !== undefined && !(f.resource.kind === 'ComposeService' && f.container === f.resource.name))
    parts.push(`container ${f.container}`);
  if (f.path !== undefined) parts.push(f.path);
  return parts.join(', ');
}

export function renderJunit(input: ScanReport, opts: Partial<Pick<ReporterOptions, 'failOn'>> = {}): string {
  const failOn = opts.failOn ?? 'error';
  const report = neutraliseReport(input);
  const suites = new Map<string, Suite>();
  const suite = (file: string): Suite => {
    let s = suites.get(file);
    if (!s) suites.set(file, (s = { file, cases: [], names: new Map(), tests: 0, failures: 0, errors: 0, skipped: 0 }));
    return s;
  };
  const attrs = (name: string, file: string, line: number | undefined): string =>
    `name="${attr(name)}" classname="${attr(file)}" file="${attr(file)}"${line ? ` line="${line}"` : ''}`;

  const withFindings = new Set(report.findings.map((f) => `${f.file}\u0000${resourceLabel(f.resource)}`));
  const passed = new Set<string>();
  for (const r of report.resources ?? []) {
    const key = `${r.file}\u0000${resourceLabel(r.resource)}`;
    if (withFindings.has(key) || passed.has(key)) continue;
    passed.add(key);
    const s = suite(r.file);
    s.tests++;
    s.cases.push(`    <testcase ${attrs(resourceLabel(r.resource), r.file, r.line)}/>\n`);
  }
  for (const f of [...report.findings].sort(byPosition)) {
    const s = suite(f.file);
    s.tests++;
    const base = caseName(f);
    const n = (s.names.get(base) ?? 0) + 1;
    s.names.set(base, n);
    const open = `    <testcase ${attrs(n === 1 ? base : `${base} (${n})`, f.file, f.line)}>\n`;
    if (f.suppressed) {
      s.skipped++;
      s.cases.push(
        `${open}      <skipped message="${attr(`suppressed (${f.suppression?.kind ?? 'exemption'}): ${f.suppression?.reason ?? 'suppressed'}`)}"/>\n    </testcase>\n`,
      );
    } else if (fails(f, failOn)) {
      s.failures++;
      s.cases.push(`${open}${failure(f)}    </testcase>\n`);
    } else {
      const why =
        f.baseline === 'existing' ? 'existing finding (in the baseline)' : `${f.severity} (does not fail the run)`;
      s.cases.push(`${open}      <system-out>${text(`${why}\n${details(f)}`)}</system-out>\n    </testcase>\n`);
    }
  }
  for (const e of report.errors) {
    const s = suite(e.file);
    s.tests++;
    s.errors++;
    s.cases.push(errorCase(e));
  }

  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const body: string[] = [];
  for (const s of [...suites.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    tests += s.tests;
    failures += s.failures;
    errors += s.errors;
    skipped += s.skipped;
    body.push(
      `  <testsuite name="${attr(s.file)}" tests="${s.tests}" failures="${s.failures}" errors="${s.errors}" skipped="${s.skipped}">\n${s.cases.join('')}  </testsuite>\n`,
    );
  }
  return guardWorkflowCommands(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<testsuites name="${TOOL_NAME}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${body.join('')}</testsuites>\n`,
  );
}

function errorCase(e: ReportError): string {
  const where = `${e.file}${e.line ? `:${e.line}` : ''}${e.column ? `:${e.column}` : ''}`;
  return (
    `    <testcase name="${attr(`read ${e.file}`)}" classname="${attr(e.file)}" file="${attr(e.file)}"${e.line ? ` line="${e.line}"` : ''}>\n` +
    `      <error type="input" message="${attr(e.message)}">${text(`${where}: ${e.message}`)}</error>\n    </testcase>\n`
  );
}

function details(f: Finding): string {
  return [
    `${f.file}:${f.line}:${f.column}`,
    f.message,
    f.container ? `container: ${f.container}` : '',
    f.path ? `path: ${f.path}` : '',
    f.remediation ? `fix: ${f.remediation}` : '',
    `docs: ${ruleDocsUrl(f.ruleId)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

function failure(f: Finding): string {
  return `      <failure type="${attr(f.ruleId)}" message="${attr(`[${f.severity}] ${f.ruleId}: ${f.message}`)}">${text(details(f))}</failure>\n`;
}

/** Characters XML 1.0 cannot carry at all (even escaped): C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F. */
const INVALID_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function text(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function attr(s: string): string {
  return text(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
