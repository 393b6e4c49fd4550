/**
 * #13 D6: a config glob is compiled by picomatch and run against names the scanned repository (or an
 * admission request) controls; `*(a*)*b` took 11 s on 28 characters in 0.1. Such globs are refused at
 * load time with the file, line and key, before anything is compiled.
 */
import { describe, expect, test } from '@jest/globals';
import { parseConfig } from '../../policies/config/load.js';
import { MAX_STARS_PER_SEGMENT, unsafeGlobReason, unsafeGlobs } from '../../policies/config/glob-safety.js';

describe('unsafe config globs are refused when the config is loaded', () => {
  test('the extglob from the report is an error naming the file, line, column and key', () => {
    const text = 'target: auto\nexclude:\n  - "charts/**"\n  - "*(a*)*b"\n';
    const { errors, config } = parseConfig(text, 'repo/.persistguard.yaml');
    expect(errors).toEqual([
      {
        file: 'repo/.persistguard.yaml',
        line: 4,
        column: 5,
        message: expect.stringMatching(/^exclude\[1\]: '\*\(a\*\)\*b' uses an extglob .*exponential/),
      },
    ]);
    // The bad config is not half-applied.
    expect(config.exclude).toEqual([]);
  });

  test('every glob-holding key is checked, every extglob form is caught', () => {
    const forms = ['@(a|b)', '!(x)', '*(a*)', '+(a)', '?(a)'];
    const text = [
      `localImages: ["kilo/${forms[0]}"]`,
      'dataPaths:',
      `  - image: "${forms[1]}"`,
      `    workload: "w${forms[2]}"`,
      '    paths: [/data]',
      'exemptions:',
      '  - rules: ["*"]',
      '    reason: r',
      `    path: "/app/${forms[3]}/**"`,
      'webhook:',
      '  protectedClaims:',
      `    - namespace: "${forms[4]}"`,
    ].join('\n');
    const { errors } = parseConfig(text, 'c.yaml');
    expect(errors.map((e) => e.message.split(':')[0])).toEqual([
      'localImages[0]',
      'dataPaths[0].image',
      'dataPaths[0].workload',
      'exemptions[0].path',
      'webhook.protectedClaims[0].namespace',
    ]);
  });

  test(`more than ${MAX_STARS_PER_SEGMENT} '*' in one path segment is refused; ** and separate segments are not counted`, () => {
    expect(unsafeGlobReason('*a*a*a*b')).toMatch(/4 '\*' in one path segment/);
    expect(unsafeGlobReason('*a*a*b')).toBeUndefined();
    expect(unsafeGlobReason('**/a*/**/b*c*/*.yaml')).toBeUndefined();
    expect(unsafeGlobReason('a***b')).toBeUndefined();
  });

  test('the globs real configs use stay valid', () => {
    for (const g of [
      'kilo/*',
      'ghcr.io/acme/*',
      'localhost/*',
      'charts/**',
      '**/*.{yaml,yml}',
      'preview-*',
      '/app/cache/**',
      'docker.io/library/postgres',
      'app-[0-9]*',
      '*-db-*',
    ])
      expect([g, unsafeGlobReason(g)]).toEqual([g, undefined]);
  });

  test('values that are not strings (schema errors elsewhere) are left to the schema', () => {
    expect(unsafeGlobs({ exclude: [42, null], dataPaths: 'x', webhook: null })).toEqual([]);
  });
});
