import { describe, expect, test } from '@jest/globals';
import { escapeJsonControls } from '../../policies/report/safe-text.js';
import { jsonReportChunks, jsonReporter, toJsonReport } from '../../policies/report/json.js';
import type { ScanReport } from '../../policies/model/findings.js';
import { finding, sampleReport } from './fixtures.js';

/** What `--format json` printed before it was written in pieces. */
const whole = (r: ScanReport): string => `${escapeJsonControls(JSON.stringify(toJsonReport(r), null, 2))}\n`;

describe('json report in pieces', () => {
  const sample = sampleReport();
  const reports: [string, ScanReport][] = [
    ['the sample', sample],
    ['no findings', { ...sample, findings: [] }],
    ['one finding', { ...sample, findings: [finding()] }],
    [
      'controls, bidi marks, nested quotes and newlines in strings',
      {
        ...sample,
        findings: [
          finding({ message: 'a\u0085b\u202ec "findings": [] \n\t', remediation: 'x\u2028y' }),
          finding({ file: 'dir/"odd".yaml', jsonPath: 'data["a\\nb"]', renderedBy: 'helm chart x' }),
        ],
        notes: [{ file: 'n.yaml', message: 'note \u0090' }],
        errors: [{ file: 'e.yaml', line: 3, message: 'bad \u2066' }],
      },
    ],
  ];

  test.each(reports)('%s: the pieces join to exactly the whole text', (_name, report) => {
    const pieces = [...jsonReportChunks(report)];
    expect(pieces.join('')).toBe(whole(report));
    expect(jsonReporter.render(report, { rules: [] })).toBe(whole(report));
    expect([...(jsonReporter.chunks?.(report, { rules: [] }) ?? [])].join('')).toBe(whole(report));
  });

  test('one piece per finding, plus the parts before and after', () => {
    const report = { ...sample, findings: [finding(), finding({ line: 2 }), finding({ line: 3 })] };
    expect([...jsonReportChunks(report)]).toHaveLength(5);
  });
});
