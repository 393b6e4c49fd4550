import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPaths } from '../../policies/load/index.js';
import { globMatcher, matchesGlob } from '../../policies/facts/glob.js';
import { errorMessage } from '../../policies/model/errors.js';

describe('the one glob helper', () => {
  test('dotfiles match, * stays in a segment, ** crosses segments', () => {
    expect(matchesGlob('/app/*', '/app/.cache')).toBe(true);
    expect(matchesGlob('/app/*', '/app/data/db')).toBe(false);
    expect(matchesGlob('/app/**', '/app/data/db')).toBe(true);
    expect(matchesGlob('preview-*', 'preview-42')).toBe(true);
  });

  test('case only ignored on request (image references)', () => {
    expect(matchesGlob('kilo/*', 'KILO/app')).toBe(false);
    expect(matchesGlob('kilo/*', 'KILO/app', { nocase: true })).toBe(true);
  });

  test('exclude-style lists: a slash-free pattern matches any last segment, one with a slash the whole path', () => {
    const m = globMatcher(['charts/**', '*.tpl', 'k8s/*.generated.yaml', 'vendor'], { basename: true });
    const paths = ['charts', 'charts/a/b.yaml', 'x/y/z.tpl', 'k8s/a.generated.yaml', 'a/vendor', 'k8s/app.yaml'];
    expect(paths.map((p) => [p, m(p)])).toEqual([
      ['charts', true],
      ['charts/a/b.yaml', true],
      ['x/y/z.tpl', true],
      // picomatch's `basename` option alone gets this one wrong: the file would be scanned despite `exclude`.
      ['k8s/a.generated.yaml', true],
      ['a/vendor', true],
      ['k8s/app.yaml', false],
    ]);
  });

  test('matchers are compiled once per pattern and options', () => {
    expect(globMatcher('a/*')).toBe(globMatcher('a/*'));
    expect(globMatcher('a/*')).not.toBe(globMatcher('a/*', { nocase: true }));
  });
});

test('errorMessage: an Error gives its message, anything else is shown as it is', () => {
  expect(errorMessage(new Error('boom'))).toBe('boom');
  expect(errorMessage('plain string')).toBe('plain string');
  expect(errorMessage(undefined)).toBe('undefined');
});

test('config `exclude` with a folder in the pattern really leaves the file out of a scan', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'pg-glob-'));
  mkdirSync(path.join(root, 'k8s'));
  const pod = (name: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec: {containers: [{name: c, image: nginx}]}\n`;
  writeFileSync(path.join(root, 'k8s', 'app.yaml'), pod('app'));
  writeFileSync(path.join(root, 'k8s', 'app.generated.yaml'), pod('generated'));
  const p = await loadPaths(['.'], { cwd: root, exclude: ['k8s/*.generated.yaml'] });
  expect(p.workloads.map((w) => w.resource.name)).toEqual(['app']);
});
