import { describe, expect, test } from '@jest/globals';
import { loadText, loadObject } from '../../policies/load/index.js';
import { createLocator, formatJsonPath } from '../../policies/locate/locate.js';
import type { Anchor } from '../../policies/model/model.js';

// Line numbers in the comments are the file's lines; the assertions check them exactly.
const MULTI = [
  '# leading comment', //                    1
  'apiVersion: v1', //                       2
  'kind: PersistentVolumeClaim', //          3
  'metadata:', //                            4
  '  name: data', //                         5
  'spec:', //                                6
  '  accessModes: [ReadWriteOnce]', //       7
  '---', //                                  8
  'apiVersion: apps/v1', //                  9
  'kind: Deployment', //                    10
  'metadata:', //                           11
  '  name: web', //                         12
  'spec:', //                               13
  '  replicas: 3', //                       14
  '  template:', //                         15
  '    spec:', //                           16
  '      containers:', //                   17
  '        - name: app', //                 18
  '          image: nginx:1.27', //         19
  '          volumeMounts:', //             20
  '            - name: cache', //           21
  '              mountPath: /cache', //     22
  '            - name: data', //            23
  '              mountPath: /data', //      24
  '              readOnly: true', //        25
  '      volumes:', //                      26
  '        - name: data', //                27
  '          persistentVolumeClaim:', //    28
  '            claimName: data', //         29
  '        - name: cache', //               30
  '          emptyDir: {}', //              31
  '', //                                    32
].join('\n');

describe('locate: exact positions', () => {
  const p = loadText('k8s/app.yaml', MULTI);
  const locate = createLocator();
  const web = p.workloads[0]!;
  const app = web.containers[0]!;

  test('workload anchor is its metadata.name value in the second document', () => {
    expect(locate(web.at)).toMatchObject({ file: 'k8s/app.yaml', line: 12, column: 9, jsonPath: 'metadata.name' });
  });

  test('deep container nodes: image, second volumeMount, its readOnly', () => {
    expect(locate(app.image!.at)).toMatchObject({
      line: 19,
      column: 18,
      endLine: 19,
      endColumn: 28,
      jsonPath: 'spec.template.spec.containers[0].image',
    });
    const dataMount = app.mounts[1]!;
    expect(locate(dataMount.at)).toMatchObject({
      line: 23,
      column: 15,
      jsonPath: 'spec.template.spec.containers[0].volumeMounts[1]',
    });
    expect(locate(dataMount.readOnlyAt!)).toMatchObject({ line: 25, column: 25 });
    expect(locate(web.replicasAt!)).toMatchObject({ line: 14, column: 13 });
  });

  test('volumes and the first document (leading comment before it)', () => {
    expect(locate(web.volumes[1]!.at)).toMatchObject({ line: 30, column: 11 });
    expect(locate(p.claims[0]!.at)).toMatchObject({ line: 5, column: 9 });
  });

  test('a missing key points at the deepest node that exists', () => {
    const missing: Anchor = {
      kind: 'node',
      doc: (web.at as Extract<Anchor, { kind: 'node' }>).doc,
      path: ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits'],
    };
    expect(locate(missing)).toMatchObject({
      line: 18,
      column: 11,
      jsonPath: 'spec.template.spec.containers[0].resources.limits',
    });
  });

  test('an empty value points at its key', () => {
    const q = loadText(
      'e.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image:\n',
    );
    const at: Anchor = {
      kind: 'node',
      doc: (q.workloads[0]!.at as Extract<Anchor, { kind: 'node' }>).doc,
      path: ['spec', 'containers', 0, 'image'],
    };
    expect(locate(at)).toMatchObject({ line: 8, column: 7 });
  });

  test('pos anchors pass through; documents without text give line 0 and the JSON path', () => {
    expect(locate({ kind: 'pos', file: 'x.sh', line: 4, column: 2 })).toEqual({ file: 'x.sh', line: 4, column: 2 });
    const o = loadObject(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', annotations: { 'persistguard.io/data-paths': '/d' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      },
      { file: 'admission:123', index: 0 },
    );
    const w = o.workloads[0]!;
    expect(locate(w.containers[0]!.image!.at)).toEqual({
      file: 'admission:123',
      line: 0,
      column: 0,
      jsonPath: 'spec.containers[0].image',
    });
    expect(locate(w.annotations['persistguard.io/data-paths']!.at).jsonPath).toBe(
      'metadata.annotations["persistguard.io/data-paths"]',
    );
  });

  test('List items are anchored under items[i]', () => {
    const list = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: ConfigMap',
      '    metadata: {name: a}',
      '    data:',
      '      DB: sqlite:////tmp/a.db',
      '  - apiVersion: apps/v1',
      '    kind: DaemonSet',
      '    metadata:',
      '      name: agent',
      '    spec:',
      '      template:',
      '        spec:',
      '          containers: [{name: c, image: "busybox"}]',
      '',
    ].join('\n');
    const q = loadText('list.yaml', list);
    expect(q.configMaps[0]!.data.DB!.value).toBe('sqlite:////tmp/a.db');
    expect(locate(q.configMaps[0]!.data.DB!.at)).toMatchObject({ line: 8, column: 11, jsonPath: 'items[0].data.DB' });
    const ds = q.workloads[0]!;
    expect(ds).toMatchObject({ perNode: true, replicas: undefined });
    expect(locate(ds.at)).toMatchObject({ line: 12, column: 13 });
    expect(locate(ds.containers[0]!.image!.at)).toMatchObject({
      line: 16,
      column: 41,
      jsonPath: 'items[1].spec.template.spec.containers[0].image',
    });
  });

  test('JSON files locate too', () => {
    const json =
      '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "j"},\n  "spec": {"containers": [\n    {"name": "c", "image": "redis"}\n  ]}\n}\n';
    const q = loadText('pod.json', json);
    expect(createLocator()(q.workloads[0]!.containers[0]!.image!.at)).toMatchObject({ line: 6, column: 28 });
  });

  test('compose: merged keys point where the value is written', () => {
    const yml = [
      'x-base: &base',
      '  image: postgres:16',
      '  environment:',
      '    PGDATA: /var/lib/postgresql/data/pg',
      'services:',
      '  db:',
      '    <<: *base',
      '    volumes:',
      '      - pg:/var/lib/postgresql/data',
      'volumes:',
      '  pg: {}',
      '',
    ].join('\n');
    const q = loadText('compose.yaml', yml);
    const c = q.workloads[0]!.containers[0]!;
    expect(c.image!.value).toBe('postgres:16');
    expect(locate(c.image!.at)).toMatchObject({ line: 2, column: 10 });
    expect(locate(c.env[0]!.at)).toMatchObject({ line: 4, column: 13 });
    expect(locate(c.mounts[0]!.at)).toMatchObject({ line: 9, column: 9 });
  });

  test('formatJsonPath', () => {
    expect(formatJsonPath(['spec', 'containers', 0, 'image'])).toBe('spec.containers[0].image');
    expect(formatJsonPath(['services', 'my app', 'labels', 'io.persistguard.ignore'])).toBe(
      'services["my app"].labels["io.persistguard.ignore"]',
    );
    expect(formatJsonPath([])).toBe('');
  });
});
