import { describe, expect, test } from '@jest/globals';
import { reportProject } from '../../policies/engine/scan.js';
import { reportObjects } from '../../policies/engine/objects.js';
import { loadText } from '../../policies/load/index.js';
import { mergeProject } from '../../policies/model/model.js';
import { defaultConfig } from '../../policies/config/types.js';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cache
  annotations:
    persistguard.io/ignore: readonly-data-mount
    persistguard.io/ignore-reason: replica of a primary, read-only on purpose
spec:
  replicas: 1
  selector: { matchLabels: { app: cache } }
  template:
    metadata: { labels: { app: cache } }
    spec:
      containers:
        - name: redis
          image: redis:7
          env:
            - { name: CACHE_DIR, value: /var/cache/app }
          volumeMounts:
            - { name: data, mountPath: /data, readOnly: true }
      volumes:
        - name: data
          persistentVolumeClaim: { claimName: cache-data }
`;

describe('reportProject', () => {
  test('findings are located, sorted by file/line/column, summarised; load errors and notes pass through', () => {
    const p = mergeProject(loadText('b.yaml', deployment), loadText('a.yaml', 'apiVersion: v1\nkind: [unclosed\n'));
    const r = reportProject(p, { config: defaultConfig(), now: new Date('2026-06-01') });
    expect(r.tool.name).toBe('persistguard');
    expect(r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId} ${f.severity} ${f.suppressed}`)).toEqual([
      'b.yaml:18:41 data-path-pvc warning false',
      'b.yaml:20:57 readonly-data-mount error true',
    ]);
    expect(r.findings[1]?.suppression).toEqual({
      kind: 'annotation',
      reason: 'replica of a primary, read-only on purpose',
    });
    expect(r.summary).toEqual({ files: 2, resources: 1, errors: 0, warnings: 1, suppressed: 1 });
    expect(r.errors.map((e) => e.file)).toEqual(['a.yaml']);
    expect(r.resources).toEqual([
      { resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cache' }, file: 'b.yaml', line: 4, column: 9 },
    ]);
  });

  test('reportObjects: live objects have no text, so findings carry a JSON path and line 0', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ollama', namespace: 'ai' },
      spec: { containers: [{ name: 'ollama', image: 'ollama/ollama:0.3.12' }] },
    };
    const r = reportObjects([{ object: obj, file: 'cluster:Pod/ai/ollama' }], { config: defaultConfig() });
    expect(r.findings.map((f) => [f.ruleId, f.file, f.line, f.jsonPath, f.path])).toEqual([
      ['data-path-pvc', 'cluster:Pod/ai/ollama', 0, 'spec.containers[0].image', '/root/.ollama'],
    ]);
    expect(r.summary).toMatchObject({ files: 1, resources: 1, errors: 1 });
  });

  test('reportObjects: each object is its own file; target is an option and the config is left as loaded', () => {
    const pod = (name: string, image: string) => ({
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'apps' },
        spec: { containers: [{ name, image, imagePullPolicy: 'Never' }] },
      },
      file: `cluster:Pod/apps/${name}`,
    });
    const config = { ...defaultConfig(), localImages: ['registry.local/*'] };
    const objects = [pod('api', 'registry.local/api:1'), pod('web', 'registry.local/web:1')];
    const k3s = reportObjects(objects, { config, target: 'k3s' });
    const plain = reportObjects(objects, { config, target: 'kubernetes' });
    expect(config.target).toBe('auto');
    expect(k3s.summary.files).toBe(2);
    expect(new Set(k3s.findings.filter((f) => f.ruleId === 'k3s-image-import').map((f) => f.file))).toEqual(
      new Set(['cluster:Pod/apps/api', 'cluster:Pod/apps/web']),
    );
    expect(plain.findings.filter((f) => f.ruleId === 'k3s-image-import')).toEqual([]);
  });
});
