import type { Finding, ScanReport } from '../../policies/model/findings.js';
import type { RuleMeta } from '../../policies/rules/rule.js';

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'data-path-pvc',
    severity: 'error',
    message: 'postgres keeps its data in /var/lib/postgresql/data, which is on emptyDir "scratch"',
    file: 'k8s/db.yaml',
    line: 24,
    column: 15,
    endLine: 24,
    endColumn: 39,
    jsonPath: 'spec.template.spec.containers[0].volumeMounts[0].mountPath',
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'db' },
    container: 'postgres',
    path: '/var/lib/postgresql/data',
    remediation: 'Mount a PersistentVolumeClaim at /var/lib/postgresql/data.',
    suppressed: false,
    ...over,
  };
}

export function meta(id: string, over: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    defaultSeverity: 'error',
    description: `${id} description`,
    catches: `${id} catches`,
    rationale: `${id} rationale: data is lost when the pod restarts.`,
    remediation: `${id} remediation`,
    messages: { default: 'x' },
    examples: { bad: 'bad', good: 'good' },
    docs: `docs/rules/${id}.md`,
    ...over,
  };
}

export const RULES: RuleMeta[] = [
  meta('data-path-pvc'),
  meta('sqlite-in-tmp'),
  meta('image-not-imported', { defaultSeverity: 'warning' }),
];

/** A report with errors, warnings, a suppressed finding, a load error, passing resources and an admission finding. */
export function sampleReport(): ScanReport {
  const findings: Finding[] = [
    finding(),
    finding({
      ruleId: 'image-not-imported',
      severity: 'warning',
      message: 'image "kilo:local" is built locally but never imported into k3s',
      line: 18,
      column: 16,
      endLine: 18,
      endColumn: 26,
      container: 'app',
      path: undefined,
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
      file: 'k8s/web.yaml',
    }),
    finding({
      ruleId: 'sqlite-in-tmp',
      message: 'SQLite database sqlite:////tmp/financial.db lives in /tmp',
      file: 'compose.yaml',
      line: 9,
      column: 7,
      endLine: undefined,
      endColumn: undefined,
      jsonPath: undefined,
      resource: { kind: 'ComposeService', name: 'api' },
      container: 'api',
      path: '/tmp/financial.db',
      suppressed: true,
      suppression: { kind: 'annotation', reason: 'scratch data, rebuilt on start' },
    }),
    finding({
      ruleId: 'data-path-pvc',
      file: 'admission:1234',
      line: 0,
      column: 0,
      endLine: undefined,
      endColumn: undefined,
      resource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'cache' },
      container: 'redis',
      path: '/data',
    }),
  ];
  return {
    tool: { name: 'persistguard', version: '0.1.0' },
    findings,
    errors: [{ file: 'k8s/broken.yaml', line: 3, column: 5, message: 'bad indentation of a mapping entry' }],
    notes: [{ file: 'chart/templates/db.yaml', message: 'Helm template skipped: render it with helm template' }],
    summary: { files: 5, resources: 5, errors: 2, warnings: 1, suppressed: 1 },
    resources: [
      {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'db' },
        file: 'k8s/db.yaml',
        line: 4,
        column: 9,
      },
      {
        resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
        file: 'k8s/web.yaml',
        line: 4,
        column: 9,
      },
      {
        resource: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'db-data' },
        file: 'k8s/db.yaml',
        line: 40,
        column: 9,
      },
      {
        resource: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: 'local-path' },
        file: 'k8s/sc.yaml',
        line: 4,
        column: 9,
      },
      { resource: { kind: 'ComposeService', name: 'api' }, file: 'compose.yaml', line: 3, column: 3 },
    ],
  };
}
