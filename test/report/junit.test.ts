import { describe, expect, test } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { junitReporter } from '../../policies/report/junit.js';
import { finding, RULES, sampleReport } from './fixtures.js';

type Node = Record<string, unknown>;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['testsuite', 'testcase', 'failure'].includes(name),
});

function parse(xml: string): { suites: Node[]; root: Node } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as { testsuites: Node };
  return { root: doc.testsuites, suites: doc.testsuites.testsuite as Node[] };
}

describe('JUnit XML', () => {
  test('one suite per file, one case per finding, one passing case per resource without findings', () => {
    const { suites, root } = parse(junitReporter.render(sampleReport(), { rules: RULES }));
    expect(suites.map((s) => s['@name'])).toEqual([
      'admission:1234',
      'compose.yaml',
      'k8s/broken.yaml',
      'k8s/db.yaml',
      'k8s/sc.yaml',
      'k8s/web.yaml',
    ]);
    const db = suites.find((s) => s['@name'] === 'k8s/db.yaml')!;
    const cases = db.testcase as Node[];
    expect(cases.map((c) => String(c['@name']))).toEqual([
      'PersistentVolumeClaim db-data',
      expect.stringMatching(/^data-path-pvc: Deployment shop\/db, container postgres/),
    ]);
    expect(cases[0]!.failure).toBeUndefined();
    expect((cases[1]!.failure as Node[])[0]!['@type']).toBe('data-path-pvc');
    expect(db['@failures']).toBe('1');
    expect(db['@tests']).toBe('2');
    // a suppressed finding is skipped, with its reason
    const compose = suites.find((s) => s['@name'] === 'compose.yaml')!;
    expect(String(((compose.testcase as Node[])[0]!.skipped as Node)['@message'])).toMatch(/^suppressed/);
    expect(compose['@skipped']).toBe('1');
    // unreadable file is an error case
    const broken = suites.find((s) => s['@name'] === 'k8s/broken.yaml')!;
    expect(broken['@errors']).toBe('1');
    expect(root['@failures']).toBe('2');
    expect(root['@tests']).toBe('7');
  });

  test('a warning is a failure only when it fails the run (--fail-on warning)', () => {
    const web = (failOn?: 'warning') =>
      parse(junitReporter.render(sampleReport(), { rules: RULES, ...(failOn ? { failOn } : {}) })).suites.find(
        (s) => s['@name'] === 'k8s/web.yaml',
      )!;
    const passing = (web().testcase as Node[])[0]!;
    expect(passing.failure).toBeUndefined();
    expect(String(passing['system-out'])).toMatch(/^warning \(does not fail the run\)/);
    expect(web()['@failures']).toBe('0');
    expect(((web('warning').testcase as Node[])[0]!.failure as Node[]).length).toBe(1);
    expect(web('warning')['@failures']).toBe('1');
  });

  test('several findings on one resource are several test cases, one failure each', () => {
    const report = sampleReport();
    report.findings.push(finding({ container: 'sidecar', line: 30 }));
    const { suites } = parse(junitReporter.render(report, { rules: RULES }));
    const db = suites.find((s) => s['@name'] === 'k8s/db.yaml')!;
    const failing = (db.testcase as Node[]).filter((c) => c.failure !== undefined);
    expect(failing.length).toBe(2);
    expect(failing.every((c) => (c.failure as Node[]).length === 1)).toBe(true);
    expect(db['@failures']).toBe('2');
  });

  test('escapes markup, quotes and control characters so the XML stays valid', () => {
    const tricky = 'a <b> & "c" \'d\' ]]> \u0001\u0008 \uD800 tab\tnew\nline';
    const report = sampleReport();
    report.findings = [
      finding({ message: tricky, resource: { kind: 'Deployment', name: '<x & "y">' }, file: 'we"ird&<file>.yaml' }),
    ];
    report.resources = [];
    report.errors = [];
    const xml = junitReporter.render(report, { rules: RULES });
    expect(xml).not.toMatch(/[\u0001\u0008]/);
    const { suites } = parse(xml);
    expect(suites[0]!['@name']).toBe('we"ird&<file>.yaml');
    const c = (suites[0]!.testcase as Node[])[0]!;
    expect(String(c['@name'])).toContain('Deployment <x & "y">');
    const f = (c.failure as Node[])[0]!;
    expect(String(f['@message'])).toContain('a <b> & "c" \'d\' ]]>');
    // Control characters in names and messages are shown as escapes, never raw.
    expect(String(f['#text'])).toContain('tab\\tnew\\nline');
  });

  test('an empty report is a valid, empty testsuites element', () => {
    const xml = junitReporter.render(
      {
        tool: { name: 'persistguard', version: '0.1.0' },
        findings: [],
        errors: [],
        summary: { files: 0, resources: 0, errors: 0, warnings: 0, suppressed: 0 },
      },
      { rules: [] },
    );
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('tests="0" failures="0"');
  });
});
