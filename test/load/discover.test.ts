import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPaths } from '../../policies/load/index.js';
import { classifyPath, shebangScript } from '../../policies/load/classify.js';

const pvc = (name: string): string =>
  `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: ${name}}\nspec: {}\n`;

describe('classification by name, then content', () => {
  test.each([
    ['k8s/app.yaml', 'yaml'],
    ['k8s/app.yml', 'yaml'],
    ['compose.yaml', 'yaml+compose'],
    ['compose.override.yml', 'yaml+compose'],
    ['docker-compose.yml', 'yaml+compose'],
    ['docker-compose.prod.yaml', 'yaml+compose'],
    ['stack/docker-compose-dev.yaml', 'yaml+compose'],
    ['list.json', 'json'],
    ['kustomization.yaml', 'kustomization'],
    ['.github/workflows/ci.yml', 'script:workflow'],
    ['sub/.github/workflows/ci.yaml', 'script:workflow'],
    ['Taskfile.yml', 'script:taskfile'],
    ['deploy.sh', 'script:shell'],
    ['x.bash', 'script:shell'],
    ['Makefile', 'script:makefile'],
    ['GNUmakefile', 'script:makefile'],
    ['rules.mk', 'script:makefile'],
    ['justfile', 'script:justfile'],
    ['Justfile', 'script:justfile'],
    ['.justfile', 'script:justfile'],
    ['Dockerfile', 'script:dockerfile'],
    ['app.py', 'source'],
    ['settings.ini', 'source'],
    ['config.toml', 'source'],
    ['.env', 'source'],
    ['.env.production', 'source'],
    ['app.properties', 'source'],
    ['main.go', 'source'],
    ['bin/deploy', 'maybe-script'],
    ['README.md', 'skip'],
    ['logo.png', 'skip'],
    ['.gitignore', 'skip'],
  ])('%s → %s', (file, expected) => {
    const c = classifyPath(file);
    const label =
      c.kind === 'yaml' ? (c.compose ? 'yaml+compose' : 'yaml') : c.kind === 'script' ? `script:${c.script}` : c.kind;
    expect(label).toBe(expected);
  });

  test('shebangs', () => {
    expect(shebangScript('#!/bin/sh\necho')).toBe('shell');
    expect(shebangScript('#!/usr/bin/env bash\n')).toBe('shell');
    expect(shebangScript('#!/bin/bash -e\n')).toBe('shell');
    expect(shebangScript('#!/usr/bin/env python3\n')).toBeUndefined();
    expect(shebangScript('echo hi')).toBeUndefined();
  });
});

describe('discovery on disk', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    const base = mkdtempSync(path.join(tmpdir(), 'pg-disc-'));
    root = path.join(base, 'repo');
    outside = path.join(base, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret.yaml'), pvc('outside'));
    const files: Record<string, string> = {
      'b/z.yaml': pvc('b-z'),
      'b/a.yaml': pvc('b-a'),
      'a.yaml': pvc('top'),
      'A.yaml': pvc('upper'),
      'node_modules/x/k.yaml': pvc('nm'),
      '.git/k.yaml': pvc('git'),
      'vendor/k.yaml': pvc('vendor'),
      '.venv/k.yaml': pvc('venv'),
      'generated/k.yaml': pvc('generated'),
      'b/skip.gen.yaml': pvc('gen'),
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\n',
      'chart/templates/pvc.yaml': pvc('templated'),
      'README.md': '# hi',
    };
    for (const [f, t] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), t);
    }
    symlinkSync(outside, path.join(root, 'escape'));
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'escape.yaml'));
    symlinkSync(root, path.join(root, 'b', 'loop'));
    symlinkSync(path.join(root, 'b'), path.join(root, 'c-link'));
    symlinkSync(path.join(root, 'missing'), path.join(root, 'dangling.yaml'));
  });
  afterAll(() => rmSync(path.dirname(root), { recursive: true, force: true }));

  test('sorted, skips tool folders and excludes, no escaping links, no cycles, helm templates noted', async () => {
    const p = await loadPaths(['.'], { cwd: root, exclude: ['generated/**', '*.gen.yaml'] });
    expect(p.errors).toEqual([]);
    expect(p.claims.map((c) => `${c.file}:${c.name}`)).toEqual([
      'A.yaml:upper',
      'a.yaml:top',
      'b/a.yaml:b-a',
      'b/z.yaml:b-z',
    ]);
    expect(p.notes.map((n) => n.file)).toEqual(['chart/templates/pvc.yaml', 'escape', 'escape.yaml']);
    expect(p.notes[1]!.message).toMatch(/outside the scan root/);
  });

  test('paths relative to cwd; a missing path is an error and the rest still scans; explicit files', async () => {
    const p = await loadPaths(['b', 'nope.yaml', 'a.yaml', 'b/a.yaml'], { cwd: root });
    expect(p.claims.map((c) => c.file)).toEqual(['b/a.yaml', 'b/skip.gen.yaml', 'b/z.yaml', 'a.yaml']);
    expect(p.errors).toEqual([{ file: 'nope.yaml', message: 'path not found: nope.yaml' }]);
    const q = await loadPaths([path.join(root, 'b')], { cwd: path.join(root, 'chart') });
    expect(q.claims.map((c) => c.file)).toEqual(
      ['a.yaml', 'skip.gen.yaml', 'z.yaml'].map((f) => `${path.join(root, 'b')}/${f}`),
    );
  });

  test('stdin (`-`) is parsed as Kubernetes/compose YAML under <stdin>', async () => {
    const p = await loadPaths(['-', 'a.yaml'], { cwd: root, readStdin: async () => pvc('from-stdin') });
    expect(p.claims.map((c) => `${c.file}:${c.name}`)).toEqual(['<stdin>:from-stdin', 'a.yaml:top']);
    const q = await loadPaths(['-'], { cwd: root });
    expect(q.errors[0]!.file).toBe('<stdin>');
  });
});

describe('extension-less files', () => {
  test('a shell shebang makes a script; anything else is skipped without an error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-shebang-'));
    try {
      writeFileSync(path.join(dir, 'deploy'), '#!/usr/bin/env bash\ndocker build -t app:dev .\n');
      writeFileSync(path.join(dir, 'tool'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0xff]));
      writeFileSync(path.join(dir, 'run'), '#!/usr/bin/env python3\nprint(1)\n');
      const p = await loadPaths(['.'], { cwd: dir });
      expect(p.errors).toEqual([]);
      expect(p.files).toBe(1); // only `deploy` went to the script loader
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
