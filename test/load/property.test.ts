import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadText, loadObject } from '../../policies/load/index.js';
import { createLocator } from '../../policies/locate/locate.js';
import type { Anchor, Project } from '../../policies/model/model.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.resolve(repoRoot, '../shared/corpus');
const describeShared = existsSync(CORPUS) ? describe : describe.skip;

/** Every anchor in a project, so `locate` can be exercised on all of them. */
function anchors(p: Project): Anchor[] {
  const out: Anchor[] = [];
  for (const w of p.workloads) {
    out.push(w.at, ...Object.values(w.annotations).map((a) => a.at), ...w.volumes.map((v) => v.at));
    for (const c of w.containers) {
      out.push(
        c.at,
        ...c.env.map((e) => e.at),
        ...c.mounts.map((m) => m.at),
        ...c.command.map((x) => x.at),
        ...c.args.map((x) => x.at),
      );
      if (c.image) out.push(c.image.at);
    }
  }
  out.push(...p.claims.map((c) => c.at), ...p.storageClasses.map((s) => s.at), ...p.configMaps.map((c) => c.at));
  return out;
}

/**
 * No loader bug was swallowed, and every anchor resolves inside the text it came from: lines 1..(lines in
 * the text), columns from 1. Objects without text (admission requests) have no position: line and column 0.
 */
function checkProject(p: Project, text: string | undefined): void {
  // loadText catches everything as a last resort; a loader bug would show up here as an "internal error"
  expect(p.errors.filter((e) => /internal error/.test(e.message))).toEqual([]);
  for (const e of p.errors) expect(e.file).toBeTruthy();
  const locate = createLocator();
  const lineCount = text === undefined ? 0 : text.split(/\r\n|\r|\n/).length;
  for (const a of anchors(p)) {
    const { line, column } = locate(a);
    if (text === undefined) expect([line, column]).toEqual([0, 0]);
    else if (line < 1 || line > lineCount || column < 1)
      throw new Error(`anchor outside the text: ${line}:${column} (text has ${lineCount} lines)`);
  }
}

const names = ['compose.yaml', 'k8s/app.yaml', 'x.json', 'stack.yml', '<stdin>'];
const k8sKinds = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'List',
  'PersistentVolumeClaim',
  'StorageClass',
  'ConfigMap',
  'HorizontalPodAutoscaler',
];

describe('loaders never throw (property tests)', () => {
  test('arbitrary strings, under every file name', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.string({ unit: 'grapheme-ascii', maxLength: 400 }), (file, text) => {
        checkProject(loadText(file, text, file === '<stdin>' ? { forceYaml: true } : {}), text);
      }),
      { numRuns: 400 },
    );
  });

  test('YAML-ish token soup', () => {
    const token = fc.constantFrom(
      '---\n',
      '...\n',
      'a:',
      ' ',
      '  ',
      '- ',
      '\n',
      '&x ',
      '*x',
      '<<: ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '"',
      "'",
      '|',
      '>',
      '#',
      '!tag ',
      '%YAML 1.2\n',
      'kind: Pod\n',
      'apiVersion: v1\n',
      'services:\n',
      '${X:-/d}',
      '{{ .Values.x }}',
      '\t',
      '\r\n',
      'spec:\n  containers:\n',
      '  - name: c\n',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), fc.constantFrom(...names), (tokens, file) => {
        const text = tokens.join('');
        checkProject(loadText(file, text), text);
      }),
      { numRuns: 400 },
    );
  });

  test('arbitrary JSON-ish objects dumped as YAML (with Kubernetes and compose shapes mixed in)', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        tie('arr'),
        tie('obj'),
      ),
      arr: fc.array(tie('node'), { maxLength: 4 }),
      obj: fc.dictionary(
        fc.constantFrom(
          'name',
          'image',
          'volumes',
          'volumeMounts',
          'env',
          'containers',
          'spec',
          'template',
          'items',
          'metadata',
          'services',
          'environment',
          'labels',
          'build',
          'tmpfs',
          'claimName',
          'persistentVolumeClaim',
          'x',
        ),
        tie('node'),
        { maxKeys: 5 },
      ),
    })).node;
    fc.assert(
      fc.property(fc.constantFrom(...k8sKinds), value, value, (kind, spec, extra) => {
        const obj = { apiVersion: 'v1', kind, metadata: { name: 'n' }, spec, items: [extra], services: extra };
        const k8s = stringify(obj);
        const compose = stringify({ services: { s: spec, t: extra } });
        checkProject(loadText('k8s/gen.yaml', k8s), k8s);
        checkProject(loadText('compose.yaml', compose), compose);
        checkProject(loadObject(obj, { file: 'admission:x', index: 0 }), undefined);
      }),
      { numRuns: 300 },
    );
  });
});

describeShared('mutated real manifests never make the loaders throw', () => {
  // Guarded: a skipped describe still runs its body (to collect tests) when ../shared is absent.
  const files = (existsSync(CORPUS) ? readdirSync(CORPUS, { recursive: true, encoding: 'utf8' }) : ['absent.yaml'])
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ f, text: existsSync(CORPUS) ? readFileSync(path.join(CORPUS, f), 'utf8') : '' }));

  test('delete, duplicate, insert and swap slices of real files', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('', ':', '- ', '\n', '---\n', '  ', '[', '*a', '&a ', '"', '${V}'),
        fc.constantFrom('del', 'dup', 'ins', 'swap'),
        ({ f, text }, a, b, ins, op) => {
          const i = a % (text.length + 1);
          const j = Math.min(text.length, i + (b % 80));
          const mutated =
            op === 'del'
              ? text.slice(0, i) + text.slice(j)
              : op === 'dup'
                ? text.slice(0, j) + text.slice(i, j) + text.slice(j)
                : op === 'ins'
                  ? text.slice(0, i) + ins + text.slice(i)
                  : text.slice(j) + text.slice(0, j);
          checkProject(loadText(f, mutated), mutated);
        },
      ),
      { numRuns: 500 },
    );
  });
});
