import { describe, expect, test } from '@jest/globals';
import { loadText } from '../../policies/load/index.js';
import { createLocator, locateAll } from '../../policies/locate/locate.js';
import { effectiveReplicas, indexAutoscalers } from '../../policies/engine/file-view.js';
import type { Anchor, Project } from '../../policies/model/model.js';

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: postgres:16
          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
      volumes:
        - name: data
          emptyDir: {}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 5
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web-2, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 4
---
apiVersion: v1
kind: Pod
metadata: {name: tool}
spec:
  containers:
    - name: tool
      image: busybox
      env: [{name: A, value: b}]
`;

function anchorsOf(p: Project): Anchor[] {
  const out: Anchor[] = [];
  for (const w of p.workloads) {
    out.push(w.at, ...w.volumes.map((v) => v.at));
    for (const c of w.containers) out.push(c.at, ...c.env.map((e) => e.at), ...c.mounts.map((m) => m.at));
  }
  out.push(...p.autoscalers.map((h) => h.at));
  out.push({ kind: 'pos', file: 'other.sh', line: 3, column: 7 });
  return out;
}

describe('locateAll (one document parsed at a time)', () => {
  test('gives, in input order, the locations one shared locator gives, across documents', () => {
    const p = loadText('k8s/app.yaml', MANIFESTS);
    const anchors = anchorsOf(p);
    // Interleave documents so grouping by document must restore the input order.
    const mixed = [...anchors].reverse().concat(anchors);
    const shared = createLocator();
    expect(locateAll(mixed)).toEqual(mixed.map((a) => shared(a)));
    const podEnv = locateAll(anchors).find((l) => l.jsonPath === 'spec.containers[0].env[0]');
    expect(podEnv).toMatchObject({ file: 'k8s/app.yaml', line: 38 });
  });

  test('an empty list gives an empty list', () => {
    expect(locateAll([])).toEqual([]);
  });
});

describe('indexAutoscalers', () => {
  test('the index gives the same replicas as the list: the highest minReplicas of the autoscalers targeting it', () => {
    const p = loadText('k8s/app.yaml', MANIFESTS);
    const index = indexAutoscalers(p.autoscalers);
    const [web, pod] = p.workloads;
    expect(effectiveReplicas(web!, index)).toBe(4);
    expect(effectiveReplicas(web!, p.autoscalers)).toBe(4);
    expect(effectiveReplicas({ ...web!, replicas: 6 }, index)).toBe(6);
    expect(effectiveReplicas(pod!, index)).toBe(1);
    // Another namespace is another target.
    const other = { ...web!, resource: { ...web!.resource, namespace: 'other' } };
    expect(effectiveReplicas(other, index)).toBe(1);
  });
});
