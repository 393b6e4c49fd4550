// Generates a mixed corpus of Kubernetes manifests and compose stacks (10,000 YAML documents by default).
// Plain JS on purpose: the bench imports nothing from the project's sources.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A small deterministic PRNG so every run scans the same files. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DATA_IMAGES = [
  ['postgres:16', '/var/lib/postgresql/data'],
  ['mysql:8.0', '/var/lib/mysql'],
  ['redis:7-alpine', '/data'],
  ['mongo:7', '/data/db'],
  ['grafana/grafana:11.0.0', '/var/lib/grafana'],
  ['qdrant/qdrant:v1.9.0', '/qdrant/storage'],
];
const STATELESS = ['nginx:1.27', 'ghcr.io/acme/api:2.3.1', 'registry.example.com/web/frontend:1.0.4', 'busybox:1.36'];

/** `dataVolume`: 'claim' (a PVC named after the workload) or 'claimTemplate' (the StatefulSet's `data` template). */
const podSpec = (r, name, bad, indent, stateful, dataVolume = 'claim') => {
  const pad = ' '.repeat(indent);
  const data = DATA_IMAGES[Math.floor(r() * DATA_IMAGES.length)];
  const image = stateful ? data[0] : STATELESS[Math.floor(r() * STATELESS.length)];
  const lines = [
    'containers:',
    `  - name: ${name}`,
    `    image: ${image}`,
    '    imagePullPolicy: IfNotPresent',
    '    ports:',
    '      - containerPort: 8080',
    '    env:',
    '      - name: LOG_LEVEL',
    '        value: info',
    // stateless services that keep a SQLite file in /tmp: the other common finding
    ...(bad && !stateful ? ['      - name: DATABASE_URL', '        value: sqlite:////tmp/app.db'] : []),
    '      - name: PASSWORD',
    '        valueFrom:',
    '          secretKeyRef: {name: creds, key: password}',
    '    resources:',
    '      requests: {cpu: 100m, memory: 128Mi}',
    '      limits: {memory: 256Mi}',
    '    volumeMounts:',
    `      - name: ${stateful ? 'data' : 'cache'}`,
    `        mountPath: ${stateful ? data[1] : '/var/cache/app'}`,
    '      - name: config',
    '        mountPath: /etc/app',
    '        readOnly: true',
    'volumes:',
    // A finding now and then: a data dir on an emptyDir instead of a claim.
    ...(stateful && dataVolume === 'claimTemplate'
      ? []
      : [
          `  - name: ${stateful ? 'data' : 'cache'}`,
          stateful && !bad ? `    persistentVolumeClaim: {claimName: ${name}-data}` : '    emptyDir: {}',
        ]),
    '  - name: config',
    `    configMap: {name: ${name}-config}`,
  ];
  return lines.map((l) => pad + l).join('\n');
};

/** One workload, plus its claim when it has one (returns the documents). */
function workload(r, kind, i) {
  const name = `${kind.toLowerCase()}-${i}`;
  const bad = r() < 0.3 || allFindings;
  // DaemonSets and multi-replica Deployments keep no per-pod data here; StatefulSets use claim templates.
  const stateful = kind !== 'DaemonSet' && kind !== 'StatefulSet' && r() < 0.5;
  const docs = [workloadDoc(r, kind, name, i, bad, stateful)];
  if (stateful && !bad)
    docs.push(
      `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: ${name}-data\n  namespace: team-${i % 7}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: fast\n  resources:\n    requests: {storage: 5Gi}`,
    );
  return docs;
}

function workloadDoc(r, kind, name, i, bad, stateful) {
  const meta = `metadata:\n  name: ${name}\n  namespace: team-${i % 7}\n  labels: {app: ${name}, tier: backend}\n  annotations:\n    owner: platform`;
  switch (kind) {
    case 'Pod':
      return `apiVersion: v1\nkind: Pod\n${meta}\nspec:\n${podSpec(r, name, bad, 2, stateful)}`;
    case 'CronJob':
      return `apiVersion: batch/v1\nkind: CronJob\n${meta}\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n${podSpec(r, name, bad, 10, stateful)}`;
    case 'Job':
      return `apiVersion: batch/v1\nkind: Job\n${meta}\nspec:\n  backoffLimit: 2\n  template:\n    spec:\n      restartPolicy: Never\n${podSpec(r, name, bad, 6, stateful)}`;
    case 'StatefulSet':
      return `apiVersion: apps/v1\nkind: StatefulSet\n${meta}\nspec:\n  serviceName: ${name}\n  replicas: 3\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n${podSpec(r, name, bad, 6)}\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec:\n        accessModes: [ReadWriteOnce]\n        resources: {requests: {storage: 10Gi}}`;
    case 'DaemonSet':
      return `apiVersion: apps/v1\nkind: DaemonSet\n${meta}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n${podSpec(r, name, bad, 6, stateful)}`;
    default:
      return `apiVersion: apps/v1\nkind: ${kind}\n${meta}\nspec:\n  replicas: ${stateful ? 1 : 1 + Math.floor(r() * 3)}\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n      annotations: {prometheus.io/scrape: "true"}\n    spec:\n${podSpec(r, name, bad, 6, stateful)}`;
  }
}

function other(r, kind, i) {
  const name = `${kind.toLowerCase()}-${i}`;
  switch (kind) {
    case 'PersistentVolumeClaim':
      return `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: ${name}\n  namespace: team-${i % 7}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: ${r() < 0.5 ? 'local-path' : 'fast'}\n  resources:\n    requests: {storage: 5Gi}`;
    case 'StorageClass':
      return `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: ${name}\nprovisioner: rancher.io/local-path\nreclaimPolicy: ${r() < 0.2 ? 'Delete' : 'Retain'}\nvolumeBindingMode: WaitForFirstConsumer`;
    case 'ConfigMap':
      return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  LOG_LEVEL: info\n  DATABASE_URL: ${r() < 0.1 ? 'sqlite:////tmp/app.db' : 'postgres://db:5432/app'}\n  app.ini: |\n    [server]\n    port = 8080\n    workers = 4`;
    case 'HorizontalPodAutoscaler':
      return `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ${name}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: deployment-${i}}\n  minReplicas: 2\n  maxReplicas: 6\n  metrics:\n    - type: Resource\n      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}`;
    default:
      return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector: {app: ${name}}\n  ports:\n    - port: 80\n      targetPort: 8080`;
  }
}

function compose(r, i) {
  const bad = r() < 0.15 || allFindings;
  const [img, dataPath] = DATA_IMAGES[i % DATA_IMAGES.length];
  return `name: stack-${i}
x-logging: &logging
  driver: json-file
  options: {max-size: 10m, max-file: "3"}
services:
  db:
    image: ${img}
    restart: unless-stopped
    logging: *logging
    environment:
      TZ: \${TZ:-UTC}
      PASSWORD: \${DB_PASSWORD}
    volumes:
      ${bad ? `- /tmp/db:${dataPath}` : `- dbdata:${dataPath}`}
  app:
    build: ./app
    image: ghcr.io/acme/app-${i}:latest
    logging: *logging
    depends_on: [db]
    environment:
      - DATA_DIR=/srv/data
      - PORT=\${PORT:-8080}
    volumes:
      - ${bad ? 'type: tmpfs\n        target: /srv/data' : 'appdata:/srv/data'}
    ports: ["8080:8080"]
  proxy:
    image: nginx:1.27
    volumes:
      - ./nginx.conf:/etc/nginx/nginx.conf:ro
volumes:
  dbdata: {}
  appdata: {}
`;
}

/** Set by `generate({ mix: 'all' })`: every workload and stack has a finding (the worst case for positions). */
let allFindings = false;

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Job', 'CronJob', 'ReplicaSet'];
const OTHERS = ['PersistentVolumeClaim', 'StorageClass', 'ConfigMap', 'HorizontalPodAutoscaler', 'Service'];

/**
 * Writes the corpus into `dir`; returns {files, docs}. `mix`: 'mixed' (about 12% of documents with a finding) or
 * 'all' (every workload and compose stack has one; the same random draws, so the files differ only there).
 */
export function generate(dir, { docs = 10_000, docsPerFile = 100, composeShare = 0.1, seed = 42, mix = 'mixed' } = {}) {
  const r = rng(seed);
  allFindings = mix === 'all';
  mkdirSync(dir, { recursive: true });
  const composeDocs = Math.round(docs * composeShare);
  const k8sDocs = docs - composeDocs;
  let files = 0;
  let n = 0;
  for (let f = 0; n < k8sDocs; f++) {
    const parts = [];
    while (parts.length < docsPerFile && n < k8sDocs) {
      const next =
        r() < 0.5 ? workload(r, WORKLOADS[n % WORKLOADS.length], n) : [other(r, OTHERS[n % OTHERS.length], n)];
      for (const doc of next) {
        if (n >= k8sDocs) break;
        parts.push(doc);
        n++;
      }
    }
    const sub = path.join(dir, 'k8s', `team-${f % 10}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `manifests-${String(f).padStart(4, '0')}.yaml`), parts.join('\n---\n') + '\n');
    files++;
  }
  for (let i = 0; i < composeDocs; i++) {
    const sub = path.join(dir, 'stacks', `stack-${String(i).padStart(4, '0')}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'compose.yaml'), compose(r, i));
    files++;
  }
  return { files, docs };
}
