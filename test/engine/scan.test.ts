import { describe, expect, test } from '@jest/globals';
import { reportObjects, reportProject } from '../../policies/engine/scan.js';
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

  test('reportObjects: admission objects have no text, so findings carry a JSON path and line 0', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ollama', namespace: 'ai' },
      spec: { containers: [{ name: 'ollama', image: 'ollama/ollama:0.3.12' }] },
    };
    const r = reportObjects([obj], { file: 'admission:1234', index: 0 }, { config: defaultConfig() });
    expect(r.findings.map((f) => [f.ruleId, f.file, f.line, f.jsonPath, f.path])).toEqual([
      ['data-path-pvc', 'admission:1234', 0, 'spec.containers[0].image', '/root/.ollama'],
    ]);
    expect(r.summary.errors).toBe(1);
  });
});
