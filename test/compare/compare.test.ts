/**
 * The pure core of the comparison: evaluate(head, { base }) with projects loaded from text. Git-based
 * cases live in test/fixtures/rules/data-not-carried-over and test/cli/base.test.ts.
 */
import { describe, expect, test } from '@jest/globals';
import { evaluate } from '../../policies/engine/engine.js';
import { defaultConfig } from '../../policies/config/types.js';
import { loadText } from '../../policies/load/index.js';
import { matchWorkloads } from '../../policies/compare/match.js';

const sts = (name: string, template: string, container = 'db') => `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: ${name}, namespace: data }
spec:
  serviceName: ${name}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: ${container}
          image: postgres:16
          volumeMounts: [{ name: ${template}, mountPath: /var/lib/postgresql/data }]
  volumeClaimTemplates:
    - metadata: { name: ${template} }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
`;

function carried(baseText: string, headText: string, file = 'db.yaml', baseFile = file) {
  const base = loadText(baseFile, baseText);
  const head = loadText(file, headText);
  return evaluate(head, { config: defaultConfig(), base })
    .findings.filter((f) => f.ruleId === 'data-not-carried-over')
    .map((f) => f.message);
}

describe('data-not-carried-over in the core', () => {
  test('without a base the rule is silent, even for a change that would be reported', () => {
    const head = loadText('db.yaml', sts('pg', 'pgdata'));
    expect(
      evaluate(head, { config: defaultConfig() }).findings.filter((f) => f.ruleId === 'data-not-carried-over'),
    ).toEqual([]);
    expect(carried(sts('pg', 'data'), sts('pg', 'pgdata'))).toHaveLength(1);
  });

  test('two StatefulSets renamed in one file: no guess which became which', () => {
    const before = `${sts('a', 'data')}---\n${sts('b', 'data')}`;
    const after = `${sts('c', 'data')}---\n${sts('d', 'data')}`;
    expect(carried(before, after)).toEqual([]);
  });

  test('a StatefulSet renamed in place is followed; moved to another file it is a new workload', () => {
    expect(carried(sts('pg', 'data'), sts('pg-main', 'data'))[0]).toContain(
      'StatefulSet renamed from "pg" to "pg-main"',
    );
    expect(carried(sts('pg', 'data'), sts('pg-main', 'data'), 'new.yaml', 'old.yaml')).toEqual([]);
  });

  test('unknown storage classes are not compared; known ones are', () => {
    const app = (cls?: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: wiki, namespace: web }
spec:
  selector: { matchLabels: { app: wiki } }
  template:
    metadata: { labels: { app: wiki } }
    spec:
      containers:
        - name: wiki
          image: ghcr.io/acme/wiki:1
          env: [{ name: WIKI_DATA_DIR, value: /data }]
          volumeMounts: [{ name: d, mountPath: /data }]
      volumes: [{ name: d, persistentVolumeClaim: { claimName: wiki } }]
${cls === undefined ? '' : `---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: wiki, namespace: web }\nspec: { storageClassName: ${cls}, accessModes: [ReadWriteOnce] }\n`}`;
    expect(carried(app(), app('fast'))).toEqual([]);
    expect(carried(app('slow'), app('slow'))).toEqual([]);
    expect(carried(app('slow'), app('fast'))[0]).toContain(
      'changes the storageClassName of PVC "wiki" from "slow" to "fast"',
    );
  });

  test('a data path that leaves persistent storage is data-path-pvc business, not this rule', () => {
    const withClaim = sts('pg', 'data');
    const without = withClaim.replace(/\n {10}volumeMounts.*\n/, '\n').replace(/ {2}volumeClaimTemplates:[\s\S]*$/, '');
    expect(carried(withClaim, without)).toEqual([]);
    const head = loadText('db.yaml', without);
    expect(evaluate(head, { config: defaultConfig() }).findings.map((f) => f.ruleId)).toContain('data-path-pvc');
  });
});

describe('matchWorkloads', () => {
  test('same identity first; compose services are matched per file', () => {
    const compose = (img: string) => `services:\n  db:\n    image: ${img}\n`;
    const base = [
      ...loadText('a/compose.yml', compose('postgres:16')).workloads,
      ...loadText('b/compose.yml', compose('redis:7')).workloads,
    ];
    const head = [
      ...loadText('b/compose.yml', compose('redis:7')).workloads,
      ...loadText('a/compose.yml', compose('postgres:17')).workloads,
    ];
    const pairs = matchWorkloads(base, head);
    for (const h of head) expect(pairs.get(h)?.base.file).toBe(h.file);
    expect([...pairs.values()].every((p) => !p.renamed)).toBe(true);
  });
});
