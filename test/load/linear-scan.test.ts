/**
 * #13 C1 (ReDoS): the scanners that replaced quadratic regexes do work linear in their input. Proven by
 * operation counts (characters examined), never by timings: for any input, including the adversarial
 * shapes that made the old regexes quadratic, steps ≤ k · length + c.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  hasHelmAction,
  replaceTemplateActions,
  templateActions,
  type ScanStats,
} from '../../policies/load/parse/template-actions.js';
import {
  justParameters,
  justRecipeHeader,
  maskTemplates,
  stripMakeComment,
} from '../../policies/load/scripts/scripts.js';

const counted = <T>(run: (stats: ScanStats) => T): { steps: number; result: T } => {
  const stats: ScanStats = { steps: 0 };
  const result = run(stats);
  return { steps: stats.steps, result };
};

/** Strings built from the characters each scanner cares about, repeated into long runs. */
const hostile = (alphabet: string[]): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(fc.constantFrom(...alphabet), fc.integer({ min: 1, max: 400 })), { maxLength: 40 })
    .map((parts) => parts.map(([s, n]) => s.repeat(n)).join(''));

// The shapes that were quadratic for the old regexes, at 200k characters.
const N = 200_000;
const WORST = [
  '{{'.repeat(N / 2),
  '${{'.repeat(N / 3),
  '{{a'.repeat(N / 3) + '}',
  '{{ .Values'.repeat(N / 10),
  '{{\n'.repeat(N / 3) + '}}',
  'a'.repeat(N),
  'a='.repeat(N / 2),
  'a="'.repeat(N / 3),
  'a=\'b="'.repeat(N / 6),
  ' '.repeat(N) + 'x',
  ' #'.repeat(N / 2),
  '-1a'.repeat(N / 3),
];

describe('template actions: linear scan (replaces /\\{\\{[^}]*\\}\\}/g, HELM_MARKERS, the ${{ }} expander)', () => {
  test('steps ≤ 2·length + 2 for any input (property)', () => {
    fc.assert(
      fc.property(
        hostile(['{', '{{', '}', '}}', '$', '\n', 'a', ' ', '.Values', 'include ']),
        fc.boolean(),
        (text, singleLine) => {
          const { steps } = counted((s) => templateActions(text, { singleLine, dollar: true }, s));
          expect(steps).toBeLessThanOrEqual(2 * text.length + 2);
          const helm = counted((s) => hasHelmAction(text, s));
          expect(helm.steps).toBeLessThanOrEqual(2 * text.length + 2);
        },
      ),
      { numRuns: 500 },
    );
  });

  test.each(WORST.map((w, i) => [i, w]))('worst case %d: steps stay linear at 200k characters', (_i, text) => {
    const { steps } = counted((s) => templateActions(text as string, { singleLine: true, dollar: true }, s));
    expect(steps).toBeLessThanOrEqual(2 * (text as string).length + 2);
    expect(counted((s) => maskTemplates(text as string, s)).steps).toBeLessThanOrEqual(2 * (text as string).length + 2);
  });

  test('same matches as the regexes they replace (property)', () => {
    fc.assert(
      fc.property(hostile(['{', '{{', '}', '}}', '$', '\n', 'a', ' ']), (text) => {
        const multi = templateActions(text).map((a) => text.slice(a.start, a.end));
        expect(multi).toEqual(text.match(/\{\{[^}]*\}\}/g) ?? []);
        const single = templateActions(text, { singleLine: true }).map((a) => text.slice(a.start, a.end));
        expect(single).toEqual(text.match(/\{\{[^}\n]*\}\}/g) ?? []);
        const dollar = templateActions(text, { dollar: true }).map((a) => text.slice(a.start, a.end));
        expect(dollar).toEqual(text.match(/\$\{\{[^}]*\}\}|\{\{[^}]*\}\}/g) ?? []);
        expect(replaceTemplateActions(text, { dollar: true }, (a) => `<${a.inner}>`)).toBe(
          text.replace(/\$\{\{([^}]*)\}\}|\{\{([^}]*)\}\}/g, (_m, g?: string, t?: string) => `<${g ?? t}>`),
        );
      }),
      { numRuns: 500 },
    );
  });

  test('Helm actions are recognised as before, and only in actions', () => {
    for (const t of [
      '{{ .Values.x }}',
      '{{- include "a" . }}',
      '{{ toYaml .Values.r | nindent 4 }}',
      '{{ $.Release.Name }}',
      'x: {{-.Chart.Name}}',
    ])
      expect(hasHelmAction(t)).toBe(true);
    for (const t of ['{{ .IMAGE }}', '.Values.x', '{{ $labels.instance }}', '{{ env "X" }}', '{ .Values.x }'])
      expect(hasHelmAction(t)).toBe(false);
  });
});

describe('justfile and make helpers: linear scans (replace the header, parameter and comment regexes)', () => {
  test('steps ≤ 3·length + 3 for any input (property)', () => {
    fc.assert(
      fc.property(hostile(['a', 'B_', '-', '1', '=', '"', "'", ' ', ':', ':=', '#', '@', '\t']), (line) => {
        expect(counted((s) => justRecipeHeader(line, s)).steps).toBeLessThanOrEqual(3 * line.length + 3);
        expect(counted((s) => justParameters(line, s)).steps).toBeLessThanOrEqual(3 * line.length + 3);
        expect(counted((s) => stripMakeComment(line, s)).steps).toBeLessThanOrEqual(3 * line.length + 3);
      }),
      { numRuns: 500 },
    );
  });

  test.each(WORST.map((w, i) => [i, w]))('worst case %d: steps stay linear at 200k characters', (_i, text) => {
    const line = text as string;
    expect(counted((s) => justRecipeHeader(line, s)).steps).toBeLessThanOrEqual(3 * line.length + 3);
    expect(counted((s) => justParameters(line, s)).steps).toBeLessThanOrEqual(3 * line.length + 3);
    expect(counted((s) => stripMakeComment(line, s)).steps).toBeLessThanOrEqual(3 * line.length + 3);
  });

  test('same results as the regexes they replace (property)', () => {
    fc.assert(
      fc.property(hostile(['a', 'B_', '-', '1', '=', '"', "'", ' ', ':', ':=', '#', '@', 'x=1']), (line) => {
        const old = /^@?([A-Za-z_][\w-]*)([^:]*):(?!=)/.exec(line);
        const header = justRecipeHeader(line);
        expect(header ? [header.name, header.params] : null).toEqual(old ? [old[1], old[2]] : null);
        const params = [...line.matchAll(/([A-Za-z_][\w-]*)=("[^"]*"|'[^']*'|[^\s]+)/g)].map((m) => m[1]);
        expect(justParameters(line).map((p) => p.name)).toEqual(params);
        expect(stripMakeComment(line)).toBe(line.replace(/\s+#.*$/, ''));
      }),
      { numRuns: 1000 },
    );
  });
});
