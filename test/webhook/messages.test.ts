/** The text the API server shows: printable, bounded, with the JSON path of each finding. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { PendingFinding } from '../../policies/model/findings.js';
import {
  boundedWarnings,
  denialMessage,
  findingLine,
  formatJsonPath,
  printable,
  MAX_MESSAGE_BYTES,
} from '../../webhook/messages.js';

function finding(
  i: number,
  message = `Container "c${i}" keeps data in /data/${i} on emptyDir volume "v"`,
): PendingFinding {
  return {
    ruleId: 'data-path-pvc',
    severity: 'error',
    message,
    resource: { kind: 'Deployment', namespace: 'ns', name: 'app' },
    container: `c${i}`,
    path: `/data/${i}`,
    remediation: 'Mount a PersistentVolumeClaim there.',
    suppressed: false,
    at: {
      kind: 'node',
      doc: { file: 'admission:Deployment/ns/app', index: 0 },
      path: ['spec', 'template', 'spec', 'containers', i, 'volumeMounts', 0],
    },
  };
}

describe('messages', () => {
  test('JSON paths read like kubectl explain paths; odd keys are quoted', () => {
    expect(formatJsonPath(['spec', 'template', 'spec', 'containers', 0, 'image'])).toBe(
      'spec.template.spec.containers[0].image',
    );
    expect(formatJsonPath(['metadata', 'annotations', 'persistguard.io/data-paths'])).toBe(
      'metadata.annotations["persistguard.io/data-paths"]',
    );
  });

  test('a finding line names rule, path, JSON path and fix, without repeating the container', () => {
    expect(findingLine(finding(2), true)).toBe(
      '[data-path-pvc] Container "c2" keeps data in /data/2 on emptyDir volume "v" at spec.template.spec.containers[2].volumeMounts[0]. Fix: Mount a PersistentVolumeClaim there.',
    );
    expect(findingLine(finding(1, 'data lost on restart.'), false)).toBe(
      '[data-path-pvc] data lost on restart (container "c1", path /data/1) at spec.template.spec.containers[1].volumeMounts[0].',
    );
  });

  test('control characters from user data never reach the terminal', () => {
    expect(printable('a\u001b[31mred\u0007\nnext\u2028line')).toBe('a [31mred next line');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) =>
        expect(printable(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/),
      ),
    );
  });

  test('a denial with hundreds of findings stays under 4 KiB and says how many were left out', () => {
    const msg = denialMessage(
      'persistguard denied Deployment ns/app: 300 data-loss findings:',
      Array.from({ length: 300 }, (_, i) => finding(i)),
      'Details: persistguard explain <rule>.',
    );
    expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const shown = msg.split('\n').filter((l) => l.startsWith('- ')).length;
    expect(shown).toBeGreaterThan(5);
    expect(msg).toContain(`…and ${300 - shown} more`);
    expect(msg.endsWith('Details: persistguard explain <rule>.')).toBe(true);
  });

  test('multi-byte text is budgeted in bytes, not characters', () => {
    const msg = denialMessage(
      'h',
      Array.from({ length: 100 }, (_, i) => finding(i, `数据目录 ${'数'.repeat(200)}`)),
      'f',
    );
    expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  test('warnings are at most 256 characters each and bounded in total', () => {
    const w = boundedWarnings(Array.from({ length: 100 }, (_, i) => `${'x'.repeat(400)} ${i}`));
    for (const x of w) expect(x.length).toBeLessThanOrEqual(256);
    expect(w.join('').length).toBeLessThanOrEqual(4096);
    expect(w.at(-1)).toMatch(/…and \d+ more warnings/);
  });
});
