import { describe, expect, test } from '@jest/globals';
import { scanVerdict } from '../../policies/engine/verdict.js';
import type { Finding } from '../../policies/model/findings.js';
import { finding } from '../report/fixtures.js';

const error = finding({ severity: 'error' });
const warning = finding({ severity: 'warning' });
const unreadable = { file: 'k8s/bad.yaml', line: 3, message: 'bad indentation' };

describe('scanVerdict', () => {
  test.each([
    ['nothing', [], 'error', 'pass', 0],
    ['a warning under fail-on error', [warning], 'error', 'pass', 0],
    ['a warning under fail-on warning', [warning], 'warning', 'fail', 1],
    ['an error under fail-on error', [error, warning], 'error', 'fail', 1],
    ['an error under fail-on never', [error], 'never', 'pass', 0],
    ['a suppressed error', [{ ...error, suppressed: true }], 'error', 'pass', 0],
    ['an existing error under a baseline', [{ ...error, baseline: 'existing' as const }], 'warning', 'pass', 0],
    ['a new error under a baseline', [{ ...error, baseline: 'new' as const }], 'error', 'fail', 1],
  ] as [string, Finding[], 'error' | 'warning' | 'never', string, number][])(
    '%s',
    (_name, findings, failOn, outcome, exitCode) => {
      expect(scanVerdict({ findings, errors: [] }, failOn)).toMatchObject({ outcome, exitCode });
    },
  );

  test('named paths that judged no file: incomplete (exit 2) unless fail-on is never; only when the caller asks', () => {
    const empty = { findings: [], errors: [], summary: { files: 0 } };
    expect(scanVerdict(empty, 'error', { nothingJudgedFails: true })).toMatchObject({
      outcome: 'incomplete',
      exitCode: 2,
      nothingJudged: true,
      reason: expect.stringMatching(/^0 files judged/) as unknown,
    });
    expect(scanVerdict(empty, 'never', { nothingJudgedFails: true })).toMatchObject({
      outcome: 'pass',
      nothingJudged: true,
    });
    expect(scanVerdict(empty, 'error')).toMatchObject({ outcome: 'pass', nothingJudged: false });
    const one = { ...empty, summary: { files: 1 } };
    expect(scanVerdict(one, 'error', { nothingJudgedFails: true })).toMatchObject({ outcome: 'pass' });
  });

  test.each(['error', 'warning', 'never'] as const)(
    'an unreadable file makes the run incomplete (exit 2) with fail-on %s, and wins over findings',
    (failOn) => {
      const v = scanVerdict({ findings: [error], errors: [unreadable] }, failOn);
      expect(v).toMatchObject({ outcome: 'incomplete', exitCode: 2, unchecked: 1 });
      expect(v.reason).toBe('1 file could not be checked; the scan is incomplete');
    },
  );

  test('problems outside the report (config errors, unlisted cluster kinds) count too and are named', () => {
    expect(scanVerdict({ findings: [], errors: [] }, 'never', { otherProblems: 2 })).toMatchObject({
      outcome: 'incomplete',
      exitCode: 2,
      reason: '2 other problems; the scan is incomplete',
    });
    expect(scanVerdict({ findings: [], errors: [unreadable, unreadable] }, 'error', { otherProblems: 1 }).reason).toBe(
      '2 files could not be checked and 1 other problem; the scan is incomplete',
    );
  });

  test('a failing verdict says how many findings reach which threshold', () => {
    expect(scanVerdict({ findings: [error, error, warning], errors: [] }, 'warning')).toMatchObject({
      failing: 3,
      reason: '3 findings at or above fail-on: warning',
    });
  });
});
