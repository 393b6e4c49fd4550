/**
 * JUnit XML for CI test viewers: one testsuite per file, one testcase per resource (passing resources
 * included, from `report.resources`), one `<failure>` per finding, and an `<error>` testcase for each file
 * that could not be read.
 */
import type { Finding, ReportError, ScanReport } from '../model/findings.js';
import type { ResourceRef } from '../model/model.js';
import { ruleDocsUrl, TOOL_NAME } from '../model/version.js';
import { resourceLabel } from './markdown.js';
import { byPosition } from './sarif.js';
import type { Reporter } from './types.js';

export const junitReporter: Reporter = {
  format: 'junit',
  fileName: 'persistguard.junit.xml',
  render: (report) => renderJunit(report),
};

interface Case {
  resource: ResourceRef;
  line: number;
  findings: Finding[];
}

interface Suite {
  file: string;
  cases: Map<string, Case>;
  errors: ReportError[];
}

export function renderJunit(report: ScanReport): string {
  const suites = new Map<string, Suite>();
  const suite = (file: string): Suite => {
    let s = suites.get(file);
    if (!s) suites.set(file, (s = { file, cases: new Map(), errors: [] }));
    return s;
  };
  const caseOf = (file: string, resource: ResourceRef, line: number): Case => {
    const cases = suite(file).cases;
    const key = resourceLabel(resource);
    let c = cases.get(key);
    if (!c) cases.set(key, (c = { resource, line, findings: [] }));
    return c;
  };
  for (const r of report.resources ?? []) caseOf(r.file, r.resource, r.line);
  for (const f of [...report.findings].sort(byPosition)) caseOf(f.file, f.resource, f.line).findings.push(f);
  for (const e of report.errors) suite(e.file).errors.push(e);

  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const body: string[] = [];
  for (const s of [...suites.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    const cases: string[] = [];
    let sFailures = 0;
    let sSkipped = 0;
    for (const c of s.cases.values()) {
      const active = c.findings.filter((f) => !f.suppressed);
      const attrs = `name="${attr(resourceLabel(c.resource))}" classname="${attr(s.file)}" file="${attr(s.file)}" line="${c.line}"`;
      if (active.length > 0) {
        sFailures++;
        cases.push(`    <testcase ${attrs}>\n${active.map(failure).join('')}    </testcase>\n`);
      } else if (c.findings.length > 0) {
        sSkipped++;
        const reasons = c.findings.map((f) => `${f.ruleId}: ${f.suppression?.reason ?? 'suppressed'}`).join('; ');
        cases.push(
          `    <testcase ${attrs}>\n      <skipped message="${attr(`suppressed: ${reasons}`)}"/>\n    </testcase>\n`,
        );
      } else {
        cases.push(`    <testcase ${attrs}/>\n`);
      }
    }
    for (const e of s.errors) {
      const where = `${s.file}${e.line ? `:${e.line}` : ''}${e.column ? `:${e.column}` : ''}`;
      cases.push(
        `    <testcase name="${attr(`read ${s.file}`)}" classname="${attr(s.file)}" file="${attr(s.file)}"${e.line ? ` line="${e.line}"` : ''}>\n` +
          `      <error type="input" message="${attr(e.message)}">${text(`${where}: ${e.message}`)}</error>\n    </testcase>\n`,
      );
    }
    const count = s.cases.size + s.errors.length;
    tests += count;
    failures += sFailures;
    errors += s.errors.length;
    skipped += sSkipped;
    body.push(
      `  <testsuite name="${attr(s.file)}" tests="${count}" failures="${sFailures}" errors="${s.errors.length}" skipped="${sSkipped}">\n${cases.join('')}  </testsuite>\n`,
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${TOOL_NAME}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${body.join('')}</testsuites>\n`
  );
}

function failure(f: Finding): string {
  const details = [
    `${f.file}:${f.line}:${f.column}`,
    f.message,
    f.container ? `container: ${f.container}` : '',
    f.path ? `path: ${f.path}` : '',
    f.remediation ? `fix: ${f.remediation}` : '',
    `docs: ${ruleDocsUrl(f.ruleId)}`,
  ].filter(Boolean);
  return `      <failure type="${attr(f.ruleId)}" message="${attr(`[${f.severity}] ${f.ruleId}: ${f.message}`)}">${text(details.join('\n'))}</failure>\n`;
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
