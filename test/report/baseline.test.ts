import { describe, expect, test } from '@jest/globals';
import { applyBaseline, findingKey, parseBaseline } from '../../policies/report/baseline.js';
import { reachesThreshold, type ScanReport } from '../../policies/model/findings.js';
import { finding, sampleReport } from './fixtures.js';

const withFindings = (findings: ReturnType<typeof finding>[]): ScanReport => ({ ...sampleReport(), findings });

describe('baseline matching', () => {
  test('the key ignores file, line and message; it is rule + resource + container + path', () => {
    const k = findingKey(finding());
    expect(findingKey(finding({ file: 'moved/db.yaml', line: 99, column: 1, message: 'reworded' }))).toBe(k);
    expect(findingKey(finding({ container: 'other' }))).not.toBe(k);
    expect(findingKey(finding({ path: '/data' }))).not.toBe(k);
    expect(findingKey(finding({ resource: { kind: 'Deployment', namespace: 'other', name: 'db' } }))).not.toBe(k);
    expect(findingKey(finding({ ruleId: 'sqlite-in-tmp' }))).not.toBe(k);
  });

  test('marks existing and new findings; existing ones never reach the threshold', () => {
    const base = withFindings([finding({ line: 1 })]);
    const { report, newCount, existingCount, fixedCount } = applyBaseline(
      withFindings([finding({ line: 50 }), finding({ container: 'new' })]),
      base,
    );
    expect(report.findings.map((f) => f.baseline)).toEqual(['existing', 'new']);
    expect([newCount, existingCount, fixedCount]).toEqual([1, 1, 0]);
    expect(reachesThreshold(report.findings[0]!, 'warning')).toBe(false);
    expect(reachesThreshold(report.findings[1]!, 'error')).toBe(true);
  });

  test('duplicates are counted: one in the baseline covers one now', () => {
    const { report } = applyBaseline(withFindings([finding(), finding({ line: 2 })]), withFindings([finding()]));
    expect(report.findings.map((f) => f.baseline)).toEqual(['existing', 'new']);
  });

  test('fixed findings are counted; suppressed ones are left alone', () => {
    const r = applyBaseline(
      withFindings([finding({ suppressed: true, suppression: { kind: 'config', reason: 'x' } })]),
      withFindings([finding(), finding({ container: 'gone' })]),
    );
    expect(r.fixedCount).toBe(2);
    expect(r.report.findings[0]!.baseline).toBeUndefined();
  });

  test('parseBaseline names the file for bad input', () => {
    expect(() => parseBaseline('{', 'base.json')).toThrow(/^base\.json: baseline is not valid JSON/);
    expect(() => parseBaseline('[]', 'base.json')).toThrow(/no "findings" array/);
    expect(() => parseBaseline('{"findings":[{"ruleId":"x"}]}', 'base.json')).toThrow(/finding #1 lacks/);
    expect(parseBaseline(JSON.stringify(sampleReport()), 'b.json').findings).toHaveLength(4);
  });
});
