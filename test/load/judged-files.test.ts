/**
 * #7 "judge only what is ours" and #13 C4 (template decided per document): files that are not manifests
 * never become input errors; manifests that do not parse do, with file:line:column; Kustomize patches are
 * not judged alone; a `{{ … }}` in a comment, an annotation or a ConfigMap's data does not hide a manifest.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPaths, loadText } from '../../policies/load/index.js';

const PG = (name: string, extra = ''): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}${extra}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      containers:\n        - name: db\n          image: postgres:16\n`;

describe('files that are not ours are skipped quietly, never input errors', () => {
  test.each([
    ['tsconfig.json', '{\n  // comment\n  "compilerOptions": {\n    "strict": true, /* block */\n  },\n}\n'],
    ['.vscode/settings.json', '{\n  "editor.formatOnSave": true, // trailing comma next\n}\n'],
    ['package.json', '{ "name": "x", "version": "1.0.0" }'],
    [
      'mkdocs.yml',
      'site_name: Docs\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n',
    ],
    [
      '.gitlab-ci.yml',
      '.setup:\n  script: [echo hi]\ntest:\n  script:\n    - !reference [.setup, script]\n    - make test\n',
    ],
    [
      'template.yaml',
      'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "${AWS::StackName}-data"\n      Tags: [{Key: a, Value: !Ref Env}]\nOutputs:\n  Arn: {Value: !GetAtt Bucket.Arn}\n  J: !Join\n    - ""\n    - [a, !If [C, b, c]]\n',
    ],
    [
      'configuration.yaml',
      'homeassistant:\n  name: Home\n  customize: !include customize.yaml\nhttp:\n  api_password: !secret http_password\nautomation: !include_dir_merge_list automations/\nsensor: !include_dir_named sensors\n',
    ],
    ['anything.yaml', 'x: !MyCustomTag {a: 1}\ny: !!my/custom:tag value\n'],
    ['values.yaml', 'persistence:\n  enabled: false\nimage: {repository: postgres, tag: "16"}\n'],
    ['broken-docs.yml', 'nav:\n  - Home: [index.md\n'],
    ['broken.json', '{"compilerOptions": {"strict": true,,}'],
  ])('%s', (file, text) => {
    const p = loadText(file, text);
    expect(p.errors).toEqual([]);
    expect(p.workloads).toEqual([]);
    expect(p.files).toBe(1);
    expect(p.skipped?.map((s) => s.file)).toEqual([file]);
  });

  test('a manifest may use a custom tag: it is read as the plain value', () => {
    const p = loadText('k8s/db.yaml', PG('db').replace('image: postgres:16', 'image: !custom postgres:16'));
    expect(p.errors).toEqual([]);
    expect(p.workloads[0]?.containers[0]?.image?.value).toBe('postgres:16');
  });

  test('a JSON manifest with comments and trailing commas loads', () => {
    const p = loadText(
      'k8s/claim.json',
      '{\n  // our claim\n  "apiVersion": "v1",\n  "kind": "PersistentVolumeClaim",\n  "metadata": {"name": "data",},\n}\n',
    );
    expect(p.errors).toEqual([]);
    expect(p.claims.map((c) => c.name)).toEqual(['data']);
  });
});

describe('files that are ours and do not parse: a clear error with line and column', () => {
  test('a Kubernetes manifest', () => {
    const p = loadText('k8s/db.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [db\n');
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({ file: 'k8s/db.yaml', line: 4 });
    expect(p.errors[0]!.message).toMatch(/^invalid YAML: /);
  });

  test('a compose file, by its name', () => {
    const p = loadText('compose.yaml', 'services:\n  db:\n    image: [postgres\n');
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({ file: 'compose.yaml', line: 3 });
  });

  test('a JSON manifest names line and column', () => {
    const p = loadText('k8s/pod.json', '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": x}\n}\n');
    expect(p.errors[0]).toMatchObject({ file: 'k8s/pod.json', line: 4, column: 24 });
  });
});

describe('#13 C4: "Helm template" is decided per document, and only when the YAML is not plain', () => {
  test('a comment with {{ .Values.x }} does not hide the manifest', () => {
    const p = loadText('k8s/db.yaml', `# set {{ .Values.image }} in the chart version\n${PG('db')}`);
    expect(p.notes).toEqual([]);
    expect(p.workloads.map((w) => w.resource.name)).toEqual(['db']);
  });

  test('an annotation "{{ include docs }}" does not hide the manifest', () => {
    const p = loadText('k8s/db.yaml', PG('db', '\n  annotations:\n    docs: "{{ include docs }}"'));
    expect(p.notes).toEqual([]);
    expect(p.workloads).toHaveLength(1);
  });

  test('stdin: a ConfigMap with {{ .Release.Name }} in its data keeps the rest of the stream', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  greeting: "hello {{ .Release.Name }}"\n';
    const p = loadText('<stdin>', `${cm}---\n${PG('db')}`, { forceYaml: true });
    expect(p.configMaps.map((c) => c.name)).toEqual(['c']);
    expect(p.workloads.map((w) => w.resource.name)).toEqual(['db']);
    expect(p.notes).toEqual([]);
  });

  test('a huge list in a manifest with {{ }} is walked without throwing', () => {
    const args = JSON.stringify(Array.from({ length: 300_000 }, (_, i) => `a${i}`));
    const p = loadText(
      'k8s/db.yaml',
      PG('db').replace('image: postgres:16', `image: postgres:16\n          args: ${args}`) + '# {{ x }}\n',
    );
    expect(p.errors).toEqual([]);
    expect(p.workloads).toHaveLength(1);
  });

  test('a document that is a chart template is noted; the other documents are judged', () => {
    const tpl = PG('tpl').replace('image: postgres:16', 'image: "{{ .Values.image }}"');
    const broken = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "x.name" . }}\n';
    const p = loadText('k8s/mixed.yaml', `${tpl}---\n${broken}---\n${PG('db')}`);
    expect(p.workloads.map((w) => w.resource.name)).toEqual(['db']);
    expect(p.errors).toEqual([]);
    expect(p.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^Helm template/)]);
  });
});

describe('oversized files: an input error only when they are ours', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pg-big-'));
    const filler = `  "x": "${'y'.repeat(1000)}",\n`.repeat(1100);
    writeFileSync(path.join(dir, 'package-lock.json'), `{\n  "name": "app",\n${filler}  "z": 1\n}\n`);
    writeFileSync(
      path.join(dir, 'big.yaml'),
      `apiVersion: v1\nkind: ConfigMap\ndata:\n${filler.replace(/"x": /g, 'x: ').replace(/,$/gm, '')}`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a 1 MB package-lock.json is skipped quietly; a 1 MB manifest is a limits error', async () => {
    const p = await loadPaths(['.'], { cwd: dir, limits: { maxFileBytes: 1024 * 1024 } });
    expect(p.errors.map((e) => [e.file, e.message])).toEqual([
      ['big.yaml', expect.stringMatching(/limits\.maxFileBytes/)],
    ]);
  });
});

describe('#7 item 11: standard input with no document is an input error (a failed render must not pass)', () => {
  test.each(['', '\n', '---\n', '# comment only\n---\n...\n'])('%j', (text) => {
    const p = loadText('<stdin>', text, { forceYaml: true });
    expect(p.errors).toEqual([{ file: '<stdin>', message: expect.stringMatching(/render produced nothing/) }]);
  });

  test('documents that are not ours are not "nothing"', () => {
    expect(loadText('<stdin>', 'a: 1\n', { forceYaml: true }).errors).toEqual([]);
  });
});

describe('Kustomize patch fragments are not judged as whole resources', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pg-kust-'));
    mkdirSync(path.join(dir, 'base'));
    mkdirSync(path.join(dir, 'overlays', 'prod'), { recursive: true });
    writeFileSync(path.join(dir, 'base', 'kustomization.yaml'), 'resources: [db.yaml]\n');
    writeFileSync(path.join(dir, 'base', 'db.yaml'), PG('db'));
    // An overlay patch that only changes the image (a real complete resource would need a volume).
    const imageOnly =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      containers:\n        - name: db\n          image: postgres:17\n';
    writeFileSync(path.join(dir, 'overlays', 'prod', 'a-image.yaml'), imageOnly);
    writeFileSync(path.join(dir, 'overlays', 'prod', 'b-json6902.yaml'), imageOnly.replace('name: db}', 'name: db2}'));
    writeFileSync(path.join(dir, 'overlays', 'prod', 'c-patch.yaml'), imageOnly.replace('name: db}', 'name: db3}'));
    writeFileSync(
      path.join(dir, 'overlays', 'prod', 'kustomization.yaml'),
      [
        'resources: [../../base]',
        'patchesStrategicMerge: [a-image.yaml]',
        'patchesJson6902:',
        '  - target: {kind: Deployment, name: db}',
        '    path: b-json6902.yaml',
        'patches:',
        '  - path: ./c-patch.yaml',
        '  - patch: |-',
        '      - op: replace',
        '        path: /spec/replicas',
        '        value: 2',
        '',
      ].join('\n'),
    );
    // Not named by any kustomization, but obviously partial: no container has an image.
    writeFileSync(
      path.join(dir, 'overlays', 'resources-only.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      containers:\n        - name: db\n          resources: {limits: {memory: 1Gi}}\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('patch files named by patches / patchesStrategicMerge / patchesJson6902, and partial workloads', async () => {
    const p = await loadPaths(['.'], { cwd: dir });
    expect(p.errors).toEqual([]);
    expect(p.workloads.map((w) => `${w.file} ${w.resource.name}`)).toEqual(['base/db.yaml db']);
    expect((p.skipped ?? []).map((s) => s.file).sort()).toEqual([
      'overlays/prod/a-image.yaml',
      'overlays/prod/b-json6902.yaml',
      'overlays/prod/c-patch.yaml',
      'overlays/resources-only.yaml',
    ]);
  });

  test('the same file given without its kustomization is judged (it is a whole resource)', async () => {
    const p = await loadPaths(['base/db.yaml'], { cwd: dir });
    expect(p.workloads).toHaveLength(1);
  });
});
