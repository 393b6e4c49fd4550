/**
 * Kubernetes policy reports, as Kyverno and Policy Reporter read them: a `wgpolicyk8s.io/v1alpha2`
 * `PolicyReport` per namespace and a `ClusterPolicyReport` for cluster-scoped resources, or their
 * successors `openreports.io/v1alpha1` `Report`/`ClusterReport`. Passing resources appear as `pass`.
 */
import { stringify } from 'yaml';
import type { Finding, ScanReport } from '../model/findings.js';
import type { ResourceRef } from '../model/model.js';
import { TOOL_NAME } from '../model/version.js';
import { resourceLabel } from './markdown.js';
import { byPosition } from './sarif.js';
import type { Reporter, ReporterOptions } from './types.js';

export const policyReportReporter: Reporter = {
  format: 'policyreport',
  fileName: 'policyreport.yaml',
  render: (report, opts) =>
    policyReports(report, opts)
      .map((doc) => `---\n${stringify(doc, { lineWidth: 0 })}`)
      .join(''),
};

type ResultStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface PolicyReportResult {
  policy: string;
  rule?: string;
  result: ResultStatus;
  severity?: 'high' | 'medium';
  category: string;
  message: string;
  resources: ObjectReference[];
  source: string;
  scored: boolean;
  properties?: Record<string, string>;
}

interface ObjectReference {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface PolicyReportDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  summary: Record<ResultStatus, number>;
  results: PolicyReportResult[];
}

/** Kinds that live outside namespaces (the ones a repository's manifests contain in practice). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'VolumeAttachment',
  'CSIDriver',
  'CSINode',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'RuntimeClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'IngressClass',
]);
/** Kinds that belong in a namespace even when the manifest omits it (kubectl applies them to `default`). */
const NAMESPACED = new Set([
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
  'PersistentVolumeClaim',
  'ConfigMap',
  'Secret',
  'Service',
  'HorizontalPodAutoscaler',
  'ServiceAccount',
  'Ingress',
]);

const CATEGORY = 'Data persistence';

export function isClusterScoped(r: ResourceRef): boolean {
  if (CLUSTER_SCOPED.has(r.kind)) return true;
  if (r.namespace || NAMESPACED.has(r.kind)) return false;
  // Compose services, scripts and unknown custom kinds with no namespace: not in any namespace.
  return r.apiVersion === undefined;
}

export function policyReports(report: ScanReport, opts: Pick<ReporterOptions, 'policyReportApi'>): PolicyReportDoc[] {
  const openreports = opts.policyReportApi === 'openreports';
  const apiVersion = openreports ? 'openreports.io/v1alpha1' : 'wgpolicyk8s.io/v1alpha2';
  const groups = new Map<string, PolicyReportResult[]>(); // '' = cluster scope
  const add = (r: ResourceRef, result: PolicyReportResult): void => {
    const ns = isClusterScoped(r) ? '' : (r.namespace ?? 'default');
    const list = groups.get(ns);
    if (list) list.push(result);
    else groups.set(ns, [result]);
  };

  const withFindings = new Set<string>();
  for (const f of [...report.findings].sort(byPosition)) {
    withFindings.add(resourceLabel(f.resource));
    add(f.resource, findingResult(f));
  }
  const passed = new Set<string>();
  for (const r of report.resources ?? []) {
    const label = resourceLabel(r.resource);
    if (withFindings.has(label) || passed.has(label)) continue;
    passed.add(label);
    add(r.resource, {
      policy: TOOL_NAME,
      result: 'pass',
      category: CATEGORY,
      message: 'no data-loss risk found',
      resources: [objectRef(r.resource)],
      source: TOOL_NAME,
      scored: true,
      properties: { file: r.file, line: String(r.line) },
    });
  }

  return [...groups.keys()].sort().map((ns) => {
    const results = groups.get(ns) ?? [];
    const summary: Record<ResultStatus, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const r of results) summary[r.result]++;
    const cluster = ns === '';
    const kind = openreports
      ? cluster
        ? 'ClusterReport'
        : 'Report'
      : cluster
        ? 'ClusterPolicyReport'
        : 'PolicyReport';
    return {
      apiVersion,
      kind,
      metadata: {
        name: cluster ? `${TOOL_NAME}-cluster` : `${TOOL_NAME}-${ns}`,
        ...(cluster ? {} : { namespace: ns }),
        labels: { 'app.kubernetes.io/managed-by': TOOL_NAME },
      },
      summary,
      results,
    };
  });
}

function findingResult(f: Finding): PolicyReportResult {
  const properties: Record<string, string> = { file: f.file, line: String(f.line), column: String(f.column) };
  if (f.container) properties.container = f.container;
  if (f.path) properties.path = f.path;
  if (f.remediation) properties.remediation = f.remediation;
  if (f.suppression) properties.suppressionReason = f.suppression.reason;
  if (f.baseline) properties.baseline = f.baseline;
  return {
    policy: TOOL_NAME,
    rule: f.ruleId,
    result: f.suppressed ? 'skip' : f.severity === 'error' ? 'fail' : 'warn',
    severity: f.severity === 'error' ? 'high' : 'medium',
    category: CATEGORY,
    message: f.message,
    resources: [objectRef(f.resource)],
    source: TOOL_NAME,
    scored: true,
    properties,
  };
}

function objectRef(r: ResourceRef): ObjectReference {
  return {
    ...(r.apiVersion ? { apiVersion: r.apiVersion } : {}),
    kind: r.kind,
    ...(r.namespace ? { namespace: r.namespace } : {}),
    name: r.name,
  };
}
