import { describe, expect, test } from '@jest/globals';
import { loadText } from '../../policies/load/index.js';
import { mergeProject, emptyProject, type Project } from '../../policies/model/model.js';
import { affectedFiles, workloadLinks } from '../../policies/engine/related-files.js';

/** A changed file plus the files needed to judge the workloads in it (the forward direction of the links). */
function relatedFiles(p: Project, changed: string[]): Set<string> {
  const out = new Set(changed);
  for (const w of p.workloads) if (changed.includes(w.file)) for (const l of workloadLinks(p, w)) out.add(l);
  return out;
}

function project(files: Record<string, string>): Project {
  const p = emptyProject();
  for (const [file, text] of Object.entries(files)) mergeProject(p, loadText(file, text));
  expect(p.errors).toEqual([]);
  return p;
}

const FILES = {
  'app/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  template:
    spec:
      containers:
        - name: api
          image: acme/api:dev
          envFrom: [{ configMapRef: { name: api-env } }]
          volumeMounts: [{ name: data, mountPath: /data }]
      volumes:
        - name: data
          persistentVolumeClaim: { claimName: api-data }
`,
  'app/pvc.yaml':
    'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: api-data, namespace: shop }\nspec: { storageClassName: slow, accessModes: [ReadWriteOnce] }\n',
  'cluster/sc.yaml':
    'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: slow }\nprovisioner: rancher.io/local-path\n',
  'cluster/other-sc.yaml':
    'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: { name: fast }\nprovisioner: x\n',
  'app/hpa.yaml':
    'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: api, namespace: shop }\nspec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: api }, minReplicas: 2, maxReplicas: 4 }\n',
  'app/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: api-env, namespace: shop }\ndata: { DATA_DIR: /data }\n',
  'other/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: api-env, namespace: elsewhere }\ndata: { DATA_DIR: /tmp }\n',
  'other/web.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: web, image: nginx }] } } }\n',
};

describe('related files', () => {
  test("a changed Deployment pulls in its claim, the claim's StorageClass, its HPA and ConfigMap (same namespace only)", () => {
    const p = project(FILES);
    expect([...relatedFiles(p, ['app/deploy.yaml'])].sort()).toEqual([
      'app/cm.yaml',
      'app/deploy.yaml',
      'app/hpa.yaml',
      'app/pvc.yaml',
      'cluster/sc.yaml',
    ]);
  });

  test('a changed StorageClass affects the Deployment two files away; an unrelated one affects nothing', () => {
    const p = project(FILES);
    expect([...affectedFiles(p, ['cluster/sc.yaml'])].sort()).toEqual(['app/deploy.yaml', 'cluster/sc.yaml']);
    expect([...affectedFiles(p, ['cluster/other-sc.yaml'])]).toEqual(['cluster/other-sc.yaml']);
    expect([...affectedFiles(p, ['other/cm.yaml'])]).toEqual(['other/cm.yaml']);
  });

  test('the script that builds and imports the image is related; changing it affects the workload', () => {
    const p = project({
      ...FILES,
      'scripts/deploy.sh':
        '#!/bin/sh\ndocker build -t acme/api:dev .\ndocker save acme/api:dev | sudo k3s ctr images import -\n',
    });
    expect(p.builds.length).toBeGreaterThan(0);
    expect(relatedFiles(p, ['app/deploy.yaml']).has('scripts/deploy.sh')).toBe(true);
    expect([...affectedFiles(p, ['scripts/deploy.sh'])].sort()).toEqual(['app/deploy.yaml', 'scripts/deploy.sh']);
  });

  test('an unrelated workload stays alone', () => {
    const p = project(FILES);
    expect([...relatedFiles(p, ['other/web.yaml'])]).toEqual(['other/web.yaml']);
  });
});
