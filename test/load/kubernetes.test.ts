import { describe, expect, test } from '@jest/globals';
import { loadText } from '../../policies/load/index.js';
import type { VolumeKind } from '../../policies/model/model.js';

const podWith = (volumes: string): string =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: p}',
    'spec:',
    '  containers: [{name: c, image: x}]',
    '  volumes:',
    volumes,
  ].join('\n');

describe('kubernetes volume kinds', () => {
  const cases: [string, VolumeKind, Record<string, unknown>][] = [
    ['persistentVolumeClaim: {claimName: data}', 'persistentVolumeClaim', { claimName: 'data' }],
    ['emptyDir: {}', 'emptyDir', {}],
    ['emptyDir: {medium: Memory}', 'emptyDir', { source: 'Memory' }],
    ['ephemeral: {volumeClaimTemplate: {spec: {}}}', 'ephemeral', {}],
    ['configMap: {name: cfg}', 'configMap', { source: 'cfg' }],
    ['secret: {secretName: s}', 'secret', { source: 's' }],
    ['projected: {sources: []}', 'projected', {}],
    ['downwardAPI: {items: []}', 'downwardAPI', {}],
    ['hostPath: {path: /srv/data}', 'hostPath', { source: '/srv/data' }],
    ['nfs: {server: n, path: /x}', 'network', { source: 'nfs' }],
    // Inline CSI volumes live and die with the pod (persistent CSI storage comes through a PVC).
    ['csi: {driver: d}', 'ephemeral', { source: 'csi:d' }],
    ['iscsi: {}', 'network', {}],
    ['cephfs: {}', 'network', {}],
    ['rbd: {}', 'network', {}],
    ['glusterfs: {}', 'network', {}],
    ['azureDisk: {}', 'network', {}],
    ['awsElasticBlockStore: {}', 'network', {}],
    ['gcePersistentDisk: {}', 'network', {}],
    ['image: {reference: "quay.io/x:1"}', 'image', {}],
    ['gitRepo: {repository: r}', 'ephemeral', { source: 'gitRepo' }],
    // Kubernetes defaults a volume without a source (or with a null one) to an emptyDir.
    ['persistentVolumeClaim: null', 'emptyDir', {}],
    ['unknownFutureSource: {}', 'other', {}],
  ];
  test('a volume with only a name is an emptyDir', () => {
    const p = loadText('p.yaml', podWith(`    - name: v\n`));
    expect(p.workloads[0]!.volumes[0]).toMatchObject({ name: 'v', kind: 'emptyDir' });
  });
  test.each(cases)('%s → %s', (src, kind, extra) => {
    const p = loadText('p.yaml', podWith(`    - name: v\n      ${src}\n`));
    expect(p.errors).toEqual([]);
    expect(p.workloads[0]!.volumes[0]).toMatchObject({ name: 'v', kind, ...extra });
  });
});

describe('kubernetes workloads', () => {
  const ALL = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: prod
  annotations:
    persistguard.io/data-paths: /from-workload
    other: keep
spec:
  replicas: 2
  template:
    metadata:
      annotations:
        persistguard.io/data-paths: /from-template
    spec:
      nodeName: node-a
      nodeSelector: {disk: ssd}
      initContainers:
        - name: init
          image: busybox
          command: [sh, -c, "chown 999 /data"]
          volumeMounts: [{name: data, mountPath: /data}]
      containers:
        - name: pg
          image: postgres:16
          imagePullPolicy: IfNotPresent
          args: ["-c", "fsync=on"]
          env:
            - {name: PGDATA, value: /data/pg}
            - {name: PORT, value: 5432}
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: s, key: k}}
          envFrom:
            - configMapRef: {name: pg-config}
            - secretRef: {name: other}
          volumeMounts:
            - {name: data, mountPath: /data, subPath: pg}
            - {name: conf, mountPath: /etc/pg, readOnly: true}
            - {name: nowhere, mountPath: /x}
      volumes:
        - name: conf
          configMap: {name: pg-config}
  volumeClaimTemplates:
    - metadata: {name: data, labels: {persistguard.io/protected: "true"}}
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: fast
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      containers: [{name: a, image: agent}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      parallelism: 3
      template:
        spec:
          containers: [{name: b, image: backup}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      containers: [{name: j, image: j}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  template: {spec: {containers: [{name: r, image: r}]}}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  replicas: 0
  template: {spec: {containers: [{name: r, image: r}]}}
---
apiVersion: v1
kind: Pod
metadata:
  name: owned
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u, controller: true}]
spec:
  ephemeralContainers: [{name: dbg, image: busybox}]
  containers: [{name: c, image: c}]
---
apiVersion: v1
kind: Service
metadata: {name: ignored}
`;
  const p = loadText('all.yaml', ALL);

  test('every workload kind, in order, with replicas and perNode', () => {
    expect(p.errors).toEqual([]);
    expect(p.workloads.map((w) => [w.resource.kind, w.resource.name, w.replicas, w.perNode])).toEqual([
      ['StatefulSet', 'db', 2, false],
      ['DaemonSet', 'agent', undefined, true],
      ['CronJob', 'backup', 3, false],
      ['Job', 'once', 1, false],
      ['ReplicaSet', 'rs', 1, false],
      ['ReplicationController', 'rc', 0, false],
      ['Pod', 'owned', 1, false],
    ]);
  });

  test('StatefulSet details: annotations merged (template wins), claim templates, mounts, env', () => {
    const db = p.workloads[0]!;
    expect(db.resource).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'prod', name: 'db' });
    expect(db.annotations['persistguard.io/data-paths']!.value).toBe('/from-template');
    expect(db.annotations.other!.value).toBe('keep');
    expect(db.nodeName).toBe('node-a');
    expect(db.nodeSelector).toEqual({ disk: 'ssd' });
    expect(db.claimTemplates).toHaveLength(1);
    expect(db.claimTemplates[0]).toMatchObject({
      name: 'data',
      namespace: 'prod',
      fromTemplate: true,
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast',
      labels: { 'persistguard.io/protected': 'true' },
    });
    expect(p.claims).toEqual([]); // template claims live on their StatefulSet only
    const [init, pg] = db.containers;
    expect(init!.role).toBe('initContainer');
    expect(init!.command.map((c) => c.value)).toEqual(['sh', '-c', 'chown 999 /data']);
    expect(init!.mounts[0]!.volume).toMatchObject({ kind: 'claimTemplate', claimName: 'data' });
    expect(pg!.role).toBe('container');
    expect(pg!.image!.value).toBe('postgres:16');
    expect(pg!.imagePullPolicy!.value).toBe('IfNotPresent');
    expect(pg!.args.map((a) => a.value)).toEqual(['-c', 'fsync=on']);
    expect(pg!.env.map((e) => [e.name, e.value])).toEqual([
      ['PGDATA', '/data/pg'],
      ['PORT', '5432'],
      ['PASSWORD', undefined],
    ]);
    expect(pg!.envFromConfigMaps).toEqual(['pg-config']);
    expect(
      pg!.mounts.map((m) => [m.mountPath, m.volume?.kind, m.readOnly, m.subPath, m.readOnlyAt !== undefined]),
    ).toEqual([
      ['/data', 'claimTemplate', false, 'pg', false],
      ['/etc/pg', 'configMap', true, undefined, true],
      ['/x', undefined, false, undefined, false],
    ]);
    expect(pg!.mounts[2]!.volumeName).toBe('nowhere');
  });

  test('pods: ownerKinds and ephemeral containers; other kinds ignored', () => {
    const pod = p.workloads[6]!;
    expect(pod.ownerKinds).toEqual(['ReplicaSet']);
    expect(pod.containers.map((c) => [c.name, c.role])).toEqual([
      ['c', 'container'],
      ['dbg', 'ephemeralContainer'],
    ]);
  });

  test('storage objects: PVC, PV, StorageClass default flag, ConfigMap, HPA v1 and v2', () => {
    const q = loadText(
      'storage.yaml',
      `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: c1, namespace: ns, annotations: {a: b}}
spec: {accessModes: [ReadWriteMany], storageClassName: "", volumeName: pv1}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: c2}
spec: {accessModes: [ReadWriteOnce]}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  accessModes: [ReadWriteMany]
  claimRef: {namespace: ns, name: c1}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: rancher.io/local-path
reclaimPolicy: Delete
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: plain}
provisioner: x
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: ns}
data:
  DATABASE_URL: sqlite:////tmp/app.db
  port: 8080
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: h1}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 5}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h2}
spec: {scaleTargetRef: {kind: StatefulSet, name: db}, maxReplicas: 3}
`,
    );
    expect(q.errors).toEqual([]);
    expect(
      q.claims.map((c) => [c.name, c.namespace, c.accessModes, c.storageClassName, c.volumeName, c.fromTemplate]),
    ).toEqual([
      ['c1', 'ns', ['ReadWriteMany'], '', 'pv1', false],
      ['c2', undefined, ['ReadWriteOnce'], undefined, undefined, false],
    ]);
    expect(q.claims[0]!.annotations).toEqual({ a: 'b' });
    expect(q.persistentVolumes[0]).toMatchObject({
      name: 'pv1',
      reclaimPolicy: 'Retain',
      storageClassName: 'manual',
      claimRef: { namespace: 'ns', name: 'c1' },
      accessModes: ['ReadWriteMany'],
    });
    expect(q.storageClasses.map((s) => [s.name, s.provisioner, s.reclaimPolicy, s.isDefault])).toEqual([
      ['local-path', 'rancher.io/local-path', 'Delete', true],
      ['plain', 'x', undefined, false],
    ]);
    expect(q.configMaps[0]!.namespace).toBe('ns');
    expect(Object.fromEntries(Object.entries(q.configMaps[0]!.data).map(([k, v]) => [k, v.value]))).toEqual({
      DATABASE_URL: 'sqlite:////tmp/app.db',
      port: '8080',
    });
    expect(q.autoscalers.map((h) => [h.name, h.target, h.minReplicas, h.maxReplicas])).toEqual([
      ['h1', { kind: 'Deployment', name: 'web' }, 2, 5],
      ['h2', { kind: 'StatefulSet', name: 'db' }, 1, 3],
    ]);
  });

  test('any *List is unwrapped, JSON files too, other JSON is skipped silently', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaimList',
      items: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'a' }, spec: {} }],
    });
    expect(loadText('list.json', json).claims.map((c) => c.name)).toEqual(['a']);
    const pkg = loadText('package.json', '{"name": "x", "version": "1.0.0"}');
    expect(pkg.errors).toEqual([]);
    expect(pkg.workloads).toEqual([]);
  });

  test('anchors carry the file and document index', () => {
    const db = p.workloads[0]!;
    const agent = p.workloads[1]!;
    expect(db.at).toMatchObject({ kind: 'node', doc: { file: 'all.yaml', index: 0 }, path: ['metadata', 'name'] });
    expect(agent.at).toMatchObject({ kind: 'node', doc: { file: 'all.yaml', index: 1, lineOffset: 49 } });
    expect(db.file).toBe('all.yaml');
  });

  test('dependent env vars $(NAME) are expanded as the kubelet does', () => {
    const q = loadText(
      'dep.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: x
      env:
        - {name: BASE, value: /var/lib/app}
        - {name: DATA_DIR, value: $(BASE)/data}
        - {name: SECRET, valueFrom: {secretKeyRef: {name: s, key: k}}}
        - {name: MIXED, value: $(SECRET)/x}
        - {name: LATER, value: $(NOT_YET)/y}
        - {name: ESCAPED, value: $$(BASE)}
      args: ["--data=$(DATA_DIR)", "--s=$(SECRET)"]
`,
    );
    const c = q.workloads[0]!.containers[0]!;
    expect(c.env.map((e) => [e.name, e.value])).toEqual([
      ['BASE', '/var/lib/app'],
      ['DATA_DIR', '/var/lib/app/data'],
      ['SECRET', undefined],
      ['MIXED', undefined],
      ['LATER', '$(NOT_YET)/y'],
      ['ESCAPED', '$(BASE)'],
    ]);
    expect(c.args.map((a) => a.value)).toEqual(['--data=/var/lib/app/data', '--s=$(SECRET)']);
  });
});
