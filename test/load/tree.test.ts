/**
 * Loading a tree that is not on disk (the base of a change): the same skips, excludes, limits, Helm
 * detection and decoding as a folder walk.
 */
import { describe, expect, test } from '@jest/globals';
import { loadTreeFiles, selectTreeFiles, type TreeFile } from '../../policies/load/tree.js';

const f = (display: string, size = 10): TreeFile => ({ display, rel: display, size });

describe('selectTreeFiles', () => {
  test('skips vendored folders, excluded globs and files no loader reads; marks chart templates', () => {
    const s = selectTreeFiles(
      [
        f('node_modules/x/deploy.yaml'),
        f('deploy/app.yaml'),
        f('deploy/generated/big.yaml'),
        f('chart/Chart.yaml'),
        f('chart/templates/deployment.yaml'),
        f('docs/logo.png'),
        f('services/api/Dockerfile'),
      ],
      { exclude: ['generated'] },
    );
    expect(s.files.map((x) => [x.display, x.helm])).toEqual([
      ['chart/Chart.yaml', false],
      ['chart/templates/deployment.yaml', true],
      ['deploy/app.yaml', false],
      ['services/api/Dockerfile', false],
    ]);
    expect(s.errors).toEqual([]);
  });

  test('size and file-count limits are errors naming the file', () => {
    const s = selectTreeFiles([f('a.yaml', 10), f('b.yaml', 5_000), f('c.yaml'), f('d.yaml')], {
      limits: { maxFileBytes: 1000, maxFiles: 2 },
    });
    expect(s.files.map((x) => x.display)).toEqual(['a.yaml', 'c.yaml']);
    expect(s.errors.map((e) => e.file)).toEqual(['b.yaml', 'd.yaml']);
    expect(s.errors[0]!.message).toContain('limits.maxFileBytes');
    expect(s.errors[1]!.message).toContain('limits.maxFiles');
  });
});

describe('loadTreeFiles', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  test('loads manifests, notes Helm templates, skips extension-less files without a shebang, reports bad UTF-8', () => {
    const sel = selectTreeFiles([
      f('k/a.yaml'),
      f('chart/Chart.yaml'),
      f('chart/templates/t.yaml'),
      f('bin/tool'),
      f('k/b.yaml'),
      f('k/c.yaml'),
    ]);
    const by = new Map<string, Uint8Array>([
      ['k/a.yaml', bytes('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: a }\nspec: {}\n')],
      ['chart/Chart.yaml', bytes('apiVersion: v2\nname: c\nversion: 1.0.0\n')],
      ['chart/templates/t.yaml', bytes('kind: Deployment\nmetadata: { name: {{ .Release.Name }} }\n')],
      ['bin/tool', new Uint8Array([0x7f, 0x45, 0x4c, 0x46])],
      ['k/b.yaml', new Uint8Array([...bytes('kind: Pod\napiVersion: v1\nk: '), 0xff])],
      // Not a manifest: someone else's Latin-1 file is skipped, not an input error.
      ['k/c.yaml', new Uint8Array([0x6b, 0x3a, 0x20, 0xff])],
    ]);
    const p = loadTreeFiles(sel.files.map((file) => ({ file, bytes: by.get(file.display)! })));
    expect(p.claims.map((c) => c.name)).toEqual(['a']);
    expect(p.notes.map((n) => n.file)).toContain('chart/templates/t.yaml');
    expect(p.errors.map((e) => e.file)).toEqual(['k/b.yaml']);
  });
});
