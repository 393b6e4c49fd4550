import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPaths, loadText, loadObject } from '../../policies/load/index.js';
import { parseWithYaml, parseYamlStream, splitDocuments } from '../../policies/load/parse/yaml.js';
import { DEFAULT_LIMITS } from '../../policies/config/types.js';

const GOOD =
  'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: good}\nspec: {accessModes: [ReadWriteOnce]}\n';

function billionLaughs(levels: number): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
  }
  return lines.join('\n') + '\n';
}

describe('bad input in one document: a clear error with the line, the other documents still load', () => {
  test('invalid YAML gives the file line (offset by the documents before it)', () => {
    const text = `${GOOD}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n---\n${GOOD.replace('good', 'after')}`;
    const p = loadText('mixed.yaml', text);
    expect(p.claims.map((c) => c.name)).toEqual(['good', 'after']);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({ file: 'mixed.yaml', line: 9 });
    expect(p.errors[0]!.message).toMatch(/^invalid YAML: /);
  });

  test('duplicate keys are an error (Kubernetes and compose both reject them)', () => {
    const p = loadText('dup.yaml', 'apiVersion: v1\nkind: Pod\nkind: Pod\n');
    expect(p.errors[0]).toMatchObject({ file: 'dup.yaml', line: 3 });
  });

  test('alias bomb in a manifest: rejected with a limits.maxAliasCount error, fast', () => {
    const p = loadText('bomb.yaml', `${GOOD}---\napiVersion: v1\nkind: ConfigMap\n${billionLaughs(9)}`);
    expect(p.claims).toHaveLength(1);
    expect(p.errors).toEqual([
      { file: 'bomb.yaml', line: 5, message: expect.stringMatching(/alias.*limits\.maxAliasCount.*alias bomb/) },
    ]);
  });

  test('alias bomb in a file that is not ours: skipped unread, no error, nothing walked', () => {
    const p = loadText('bomb.yaml', `${GOOD}---\n${billionLaughs(9)}`);
    expect(p.claims).toHaveLength(1);
    expect(p.errors).toEqual([]);
  });

  test('a linear alias blow-up (one big anchor reused many times) is still a bomb', () => {
    const big = Array.from({ length: 300 }, (_, i) => `  k${i}: [${i}]`).join('\n');
    const uses = Array.from({ length: 300 }, (_, i) => `  u${i}: *big`).join('\n');
    const p = loadText('lin.yaml', `apiVersion: v1\nkind: ConfigMap\nx: &big\n${big}\ny:\n${uses}\n`);
    expect(p.errors[0]?.message).toMatch(/possible alias bomb/);
  });

  test('a generated CRD reusing small anchors hundreds of times is not a bomb', () => {
    const props = Array.from(
      { length: 400 },
      (_, i) =>
        `      f${i}:\n${i === 0 ? '        &str ' : '        '}${i === 0 ? '{type: string, x-kubernetes-validations: [{rule: a}]}' : '*str'}`,
    ).join('\n');
    const crd = `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}\nspec:\n  x:\n    properties:\n${props}\n`;
    const p = loadText('crd.yaml', crd);
    expect(p.errors).toEqual([]);
  });

  test('ordinary aliases and merge keys stay under the limit', () => {
    const svc = Array.from({ length: 30 }, (_, i) => `  s${i}:\n    <<: *base\n    logging: *log`).join('\n');
    const p = loadText(
      'compose.yaml',
      `x-log: &log {driver: json-file, options: {max-size: 10m}}\nx-base: &base\n  image: redis\n  environment: {A: b}\nservices:\n${svc}\n`,
    );
    expect(p.errors).toEqual([]);
    expect(p.workloads).toHaveLength(30);
    expect(p.workloads[29]!.containers[0]!.env[0]!.value).toBe('b');
  });

  test('deep nesting: an error naming the limit, never a stack overflow', () => {
    const deep = 'a: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
    const p = loadText('deep.yaml', `${GOOD}---\napiVersion: v1\nkind: ConfigMap\n${deep}`);
    expect(p.claims).toHaveLength(1);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({ file: 'deep.yaml', line: 8 });
    expect(p.errors[0]!.message).toMatch(/nest/);
    const block =
      'apiVersion: v1\nkind: ConfigMap\n' +
      Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') +
      ' x\n';
    expect(loadText('deep2.yaml', block).errors[0]!.message).toMatch(/limits\.maxDepth/);
    const json = '{"apiVersion": "v1", "kind": "Pod", "x": ' + '['.repeat(100000) + ']'.repeat(100000) + '}';
    expect(loadText('deep.json', json).errors[0]!.message).toMatch(/nest/);
    const obj: Record<string, unknown> = {};
    let cur = obj;
    for (let i = 0; i < 1000; i++) cur = (cur.x = {}) as Record<string, unknown>;
    expect(
      loadObject(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: obj },
        { file: 'admission:x', index: 0 },
      ).errors[0]!.message,
    ).toMatch(/limits\.maxDepth/);
  });

  test('fromJson objects skip the alias walk, and deep nesting anywhere neither throws nor hides the workload', () => {
    const deep = (n: number): Record<string, unknown> => {
      const root: Record<string, unknown> = {};
      let cur = root;
      for (let i = 0; i < n; i++) cur = (cur.x = {}) as Record<string, unknown>;
      return root;
    };
    const container = {
      name: 'db',
      image: 'postgres:16',
      env: [{ name: 'DATA_DIR', value: deep(50_000) }],
      args: [deep(50_000)],
    };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', annotations: deep(50_000) },
      spec: { containers: [container], extra: deep(50_000) },
    };
    const p = loadObject(pod, { file: 'admission:x', index: 0 }, { fromJson: true });
    expect(p.workloads.map((w) => w.resource.name)).toEqual(['p']);
    expect(p.workloads[0]!.containers[0]!.image?.value).toBe('postgres:16');
    // A non-string value is not an env value: nothing is guessed from it.
    expect(p.workloads[0]!.containers[0]!.env[0]!.value).toBeUndefined();
  });

  test('10,000 documents load, and more than limits.maxDocuments gives an error and the first ones', () => {
    const docs = Array.from({ length: 10000 }, (_, i) => GOOD.replace('good', `c${i}`)).join('---\n');
    const p = loadText('many.yaml', docs);
    expect(p.errors).toEqual([]);
    expect(p.claims).toHaveLength(10000);
    expect(p.claims[9999]!.at).toMatchObject({ doc: { index: 9999, lineOffset: 9999 * 5 } });
    const q = loadText('many.yaml', docs, { limits: { maxDocuments: 100 } });
    expect(q.claims).toHaveLength(100);
    expect(q.errors[0]!.message).toMatch(/10000 documents, over the limit of 100 \(limits\.maxDocuments\)/);
  });

  test('Helm templates and kustomizations are notes, not parse errors', () => {
    const helm = loadText(
      'chart/templates/deploy.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "x.fullname" . }}\n{{- if .Values.persistence.enabled }}\n',
    );
    expect(helm.errors).toEqual([]);
    expect(helm.notes[0]!.message).toMatch(/helm template my-release \.\/chart \| persistguard scan -/);
    const valid = loadText('t.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "{{ .Release.Name }}"\n');
    expect(valid.workloads).toEqual([]);
    expect(valid.notes).toHaveLength(1);
    const broken = loadText('t2.yaml', 'kind: {{ x }}: y: z\n');
    expect([broken.errors.length, broken.notes.length]).toEqual([0, 1]);
    // Go templates inside a ConfigMap value are data, not Helm
    const cm = loadText(
      'cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  rule: "{{ $labels.instance }} down"\n',
    );
    expect(cm.configMaps).toHaveLength(1);
    const k = loadText('overlay/kustomization.yaml', 'resources: [a.yaml]\n');
    expect(k.notes[0]!.message).toMatch(/kubectl kustomize overlay \| persistguard scan -/);
    // A values file that mentions a template parses as plain YAML: not ours, skipped quietly, no note.
    expect(loadText('values.yaml', 'name: "{{ .Release.Name }}-x"\n').notes).toEqual([]);
    expect(loadText('t.yaml', '{{- if .Values.x }}\nkind: Pod\n{{- end }}\n').notes[0]!.message).toMatch(
      /helm template my-release \.\/chart \| persistguard scan -/,
    );
    expect(
      loadText('deploy/charts/app/templates/a.yaml', '{{- if .Values.x }}\nkind: Pod\n').notes[0]!.message,
    ).toMatch(/helm template my-release \.\/deploy\/charts\/app \| /);
  });
});

describe('bad files on disk: the rest of the scan completes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pg-bad-'));
    mkdirSync(path.join(dir, 'k8s'));
    writeFileSync(path.join(dir, 'k8s', 'a-good.yaml'), GOOD);
    writeFileSync(path.join(dir, 'k8s', 'binary.yaml'), Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02]));
    writeFileSync(
      path.join(dir, 'k8s', 'latin1.yaml'),
      Buffer.concat([Buffer.from('kind: ConfigMap\napiVersion: v1\nb: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    // Someone else's Latin-1 files (translations, data, an accented comment in a script): not input errors.
    const latin1 = (s: string) => Buffer.from(s, 'latin1');
    writeFileSync(path.join(dir, 'k8s', 'messages.fr.yaml'), latin1('greeting: "café"\n'));
    writeFileSync(path.join(dir, 'k8s', 'strings.json'), latin1('{"name": "café"}\n'));
    writeFileSync(
      path.join(dir, 'k8s', 'app.py'),
      latin1('import sqlite3\n# démarrage\ndb = sqlite3.connect("/tmp/app.db")\n'),
    );
    const huge = Buffer.alloc(Math.round(7.2 * 1024 * 1024), 0x20);
    huge.write('apiVersion: v1\nkind: ConfigMap\n'); // a manifest: too big is an error (other big files are skipped)
    writeFileSync(path.join(dir, 'k8s', 'huge.yaml'), huge);
    writeFileSync(path.join(dir, 'k8s', 'invalid.yaml'), 'kind: Pod\napiVersion: v1\na: [\n');
    writeFileSync(path.join(dir, 'k8s', 'z-good.yaml'), GOOD.replace('good', 'last'));
    writeFileSync(path.join(dir, 'program'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00])); // extension-less binary: skipped silently
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('binary, non-UTF-8, oversized and invalid files each give one clear error', async () => {
    const p = await loadPaths(['.'], { cwd: dir });
    expect(p.claims.map((c) => c.name)).toEqual(['good', 'last']);
    const byFile = Object.fromEntries(p.errors.map((e) => [e.file, e]));
    expect(Object.keys(byFile).sort()).toEqual([
      'k8s/binary.yaml',
      'k8s/huge.yaml',
      'k8s/invalid.yaml',
      'k8s/latin1.yaml',
    ]);
    expect(byFile['k8s/binary.yaml']!.message).toMatch(/^binary file/);
    expect(byFile['k8s/latin1.yaml']).toMatchObject({
      line: 3,
      message: expect.stringMatching(/^not UTF-8 text \(invalid byte 0xe9/),
    });
    expect(byFile['k8s/huge.yaml']!.message).toBe(
      'file is 7.2 MB, over the 5 MB limit (limits.maxFileBytes): not scanned',
    );
    expect(byFile['k8s/invalid.yaml']!.line).toBe(3); // `a: [` never closed: reported on its last line, not past the end
  });

  test('a source file that is not UTF-8 is still read (paths are ASCII), at the right line and column', async () => {
    const p = await loadPaths(['k8s/app.py'], { cwd: dir });
    expect(p.errors).toEqual([]);
    expect(p.sqliteLiterals.map((l) => [l.raw, l.at])).toEqual([
      ['/tmp/app.db', expect.objectContaining({ line: 3, column: 23 })],
    ]);
  });

  test('limits are configurable; maxFiles stops with an error', async () => {
    const p = await loadPaths(['.'], { cwd: dir, limits: { maxFileBytes: 10 * 1024 * 1024, maxFiles: 2 } });
    expect(p.errors.some((e) => /limits\.maxFiles/.test(e.message))).toBe(true);
    expect(p.errors.some((e) => /limits\.maxFileBytes/.test(e.message))).toBe(false);
  });
});

describe('splitDocuments', () => {
  test('markers, leading comments and directives, `...` ends, content after a marker', () => {
    const docs = splitDocuments('# c\n%YAML 1.2\n---\na: 1\n...\n---\nb: 2\n--- |\n  text\n---\n');
    expect(docs.map((d) => [d.lineOffset, d.text])).toEqual([
      [1, '# c\n%YAML 1.2\n---\na: 1\n...\n'],
      [6, '---\nb: 2\n'],
      [8, '--- |\n  text\n'],
      [10, '---\n'],
    ]);
    expect(splitDocuments('a: 1\n---\nb: 2').map((d) => d.lineOffset)).toEqual([1, 2]);
    expect(splitDocuments('key: |\n  ---- not a marker\n  --- indented\n').length).toBe(1);
    expect(splitDocuments('a: 1\r\n---\r\nb: 2\r\n').map((d) => d.lineOffset)).toEqual([1, 2]);
  });
});

describe('the yaml fallback (used when the line split and js-yaml disagree) reads the same documents', () => {
  test('values, line offsets and errors', () => {
    const text = `${GOOD}---\n# note\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\ndata:\n  app.ini: |\n    a\n---\nbad: [\n`;
    const fast = parseYamlStream('f.yaml', text, DEFAULT_LIMITS);
    const slow = parseWithYaml('f.yaml', text, DEFAULT_LIMITS);
    expect(slow.docs.map((d) => d.value)).toEqual(fast.docs.map((d) => d.value));
    expect((fast.docs[1]!.value as { data: Record<string, string> }).data['app.ini']).toBe('a\n');
    expect(fast.docs.map((d) => d.ref.lineOffset)).toEqual([1, 5]);
    expect(slow.docs.map((d) => d.ref.lineOffset)).toEqual([1, 5]);
    expect(fast.errors.map((e) => e.line)).toEqual([14]);
    expect(slow.errors).toHaveLength(1);
    expect(slow.errors[0]!.line).toBeGreaterThanOrEqual(14);
  });
});

describe('invalid JSON', () => {
  test('names the line and column whatever the Node version says', () => {
    const p = loadText('k8s/pod.json', '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": x}\n}\n');
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({ file: 'k8s/pod.json', line: 4 });
    expect(p.errors[0]!.message).toMatch(/^invalid JSON: /);
    expect(loadText('t.json', '{"apiVersion": "v1", "kind": "Pod"').errors[0]!.line).toBe(1);
  });
});
