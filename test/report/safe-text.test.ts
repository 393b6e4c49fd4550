/**
 * C7 as a property: every control character (C0, DEL, C1, line separators, bidi overrides) and every GitHub
 * workflow command, placed in every name a report prints (file, kind, namespace, name, container, path,
 * message, fix, suppression reason, input error, note), in every reporter, never reaches the output raw:
 * no terminal escape, no line that starts a workflow command. JSON and SARIF keep the exact text (escaped).
 */
import { describe, expect, test } from '@jest/globals';
import { FORMATS, getReporter } from '../../policies/report/index.js';
import type { ScanReport } from '../../policies/model/findings.js';
import { escapeControls, guardWorkflowCommands } from '../../policies/report/safe-text.js';
import { finding, RULES } from './fixtures.js';

const CONTROL_CODES = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x7f,
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
  0x2028,
  0x2029,
  0x202a,
  0x202e,
  0x2066,
  0x2069,
];
const PAYLOADS = [
  ...CONTROL_CODES.map((c) => `${String.fromCharCode(c)}::error::pwned`),
  '\n::add-mask::secret',
  '\r\n::stop-commands::tok',
  '::error file=x::at the start',
  '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007',
  '\u001b[2J\u001b[H',
  '\u009b31m',
];
/** Raw characters no reporter may print (a newline is fine: the reporters' own line breaks). */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function hostile(p: string): ScanReport {
  const name = (s: string) => `${s}${p}`;
  const f = finding({
    file: name('k8s/db.yaml'),
    message: name('message about '),
    remediation: name('fix it '),
    resource: { apiVersion: 'apps/v1', kind: name('Deployment'), namespace: name('ns'), name: name('db') },
    container: name('c'),
    path: name('/data'),
  });
  const suppressed = finding({
    ...f,
    line: 30,
    suppressed: true,
    suppression: { kind: 'comment', reason: name('because ') },
  });
  return {
    tool: { name: 'persistguard', version: '0.0.0' },
    findings: [f, suppressed],
    errors: [{ file: name('bad.yaml'), line: 1, message: name('cannot parse ') }],
    notes: [{ file: name('note.yaml'), message: name('note ') }],
    summary: { files: 3, resources: 1, errors: 1, warnings: 0, suppressed: 1 },
    resources: [
      { resource: { apiVersion: 'v1', kind: 'Pod', name: name('pod') }, file: name('p.yaml'), line: 1, column: 1 },
    ],
  };
}

describe('C7: control characters and workflow commands in every name × every reporter', () => {
  test.each(FORMATS.map((f) => [f]))('%s output stays inert for every payload', async (format) => {
    const reporter = (await getReporter(format))!;
    for (const p of PAYLOADS) {
      const out = reporter.render(hostile(p), { rules: RULES, color: false });
      const raw = RAW.exec(out);
      expect({ payload: JSON.stringify(p), raw: raw ? JSON.stringify(raw[0]) : null }).toEqual({
        payload: JSON.stringify(p),
        raw: null,
      });
      expect({ payload: JSON.stringify(p), line: /^\s*::/m.exec(out)?.[0] ?? null }).toEqual({
        payload: JSON.stringify(p),
        line: null,
      });
    }
  });

  test('JSON and SARIF keep every name exactly (escaped, not altered)', async () => {
    const json = (await getReporter('json'))!;
    const sarif = (await getReporter('sarif'))!;
    for (const p of PAYLOADS) {
      const report = hostile(p);
      const back = JSON.parse(json.render(report, { rules: RULES })) as ScanReport;
      expect(back.findings[0]!.resource.name).toBe(report.findings[0]!.resource.name);
      expect(back.findings[0]!.container).toBe(report.findings[0]!.container);
      const s = JSON.parse(sarif.render(report, { rules: RULES })) as {
        runs: { results: { properties: { resource: { name: string } } }[] }[];
      };
      expect(s.runs[0]!.results[0]!.properties.resource.name).toBe(report.findings[0]!.resource.name);
    }
  });

  test('the text report shows the escape, so the name is still readable', async () => {
    const out = (await getReporter('text'))!.render(hostile('\n::error::pwned'), { rules: RULES });
    expect(out).toContain('db\\n::error::pwned');
  });

  test('the helpers: escapes are visible, lines starting with :: get a zero-width space', () => {
    expect(escapeControls('a\u001b[31mb\r\n')).toBe('a\\u001b[31mb\\r\\n');
    expect(guardWorkflowCommands('ok\n  ::error::x\n::add-mask::y')).toBe(
      'ok\n  :\u200b:error::x\n:\u200b:add-mask::y',
    );
  });
});
