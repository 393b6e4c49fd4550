/**
 * Kubernetes policy reports, as Kyverno and Policy Reporter read them: a `wgpolicyk8s.io/v1alpha2`
 * `PolicyReport` per namespace and a `ClusterPolicyReport` for cluster-scoped resources, or their
 * successors `openreports.io/v1alpha1` `Report`/`ClusterReport`. Passing resources appear as `pass`.
 * Only Kubernetes resources belong there: compose services and source files are counted in a comment at
 * the top of the stream (the JSON report has them). A report stays under the API server's request limit
 * (about 1.5 MiB; we aim under 1 MiB): more results are split into `-2`, `-3`, … reports, whole resources
 * at a time.
 */
import { stringify } from 'yaml';
import type { Finding, ScanReport } from '../model/findings.js';
import type { ResourceRef } from '../model/model.js';
import { TOOL_NAME } from '../model/version.js';
import { resourceLabel } from './markdown.js';
import { byPosition } from './sarif.js';
import type { Reporter, ReporterOptions } from './types.js';
import { guardWorkflowCommands, neutraliseReport } from './safe-text.js';

export const policyReportReporter: Reporter = {
  format: 'policyreport',
  fileName: 'policyreport.yaml',
  render: (report, opts) => {
    const safe = neutraliseReport(report);
    const others = nonKubernetesCount(safe);
    const head =
      others > 0
        ? `# ${others} result${others === 1 ? '' : 's'} for compose services and source files are not in these reports (they are not Kubernetes resources); see --format json.\n`
        : '';
    return guardWorkflowCommands(
      head +
        policyReports(safe, opts)
          .map((doc) => `---\n${stringify(doc, { lineWidth: 0 })}`)
          .join(''),
    );
  },
};

/** Kubernetes objects carry an apiVersion; compose services, scripts and source files do not. */
export function isKubernetesResource(r: ResourceRef): boolean {
  return r.apiVersion !== undefined && r.apiVersion !== '';
}

/** Findings and passing resources left out of the policy reports because they are not Kubernetes objects. */
export function nonKubernetesCount(report: ScanReport): number {
  const withFindings = new Set(report.findings.map((f) => resourceLabel(f.resource)));
  let n = report.findings.filter((f) => !isKubernetesResource(f.resource)).length;
  const passed = new Set<string>();
  for (const r of report.resources ?? []) {
    const label = resourceLabel(r.resource);
    if (isKubernetesResource(r.resource) || withFindings.has(label) || passed.has(label)) continue;
    passed.add(label);
    n++;
  }
  return n;
}

/** Serialized size a report may reach: the API server refuses requests over ~1.5 MiB; etcd objects 1 MiB. */
export const POLICY_REPORT_MAX_BYTES = 900 * 1024;

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

export function policyReports(
  report: ScanReport,
  opts: Pick<ReporterOptions, 'policyReportApi'> & { maxBytes?: number },
): PolicyReportDoc[] {
  const openreports = opts.policyReportApi === 'openreports';
  const apiVersion = openreports ? 'openreports.io/v1alpha1' : 'wgpolicyk8s.io/v1alpha2';
  // namespace ('' = cluster scope) → resource → its results, in first-seen order
  const groups = new Map<string, Map<string, PolicyReportResult[]>>();
  const add = (r: ResourceRef, result: PolicyReportResult): void => {
    const ns = isClusterScoped(r) ? '' : (r.namespace ?? 'default');
    let byResource = groups.get(ns);
    if (!byResource) groups.set(ns, (byResource = new Map()));
    const label = resourceLabel(r);
    const list = byResource.get(label);
    if (list) list.push(result);
    else byResource.set(label, [result]);
  };

  const withFindings = new Set<string>();
  for (const f of [...report.findings].sort(byPosition)) {
    if (!isKubernetesResource(f.resource)) continue;
    withFindings.add(resourceLabel(f.resource));
    add(f.resource, findingResult(f));
  }
  const passed = new Set<string>();
  for (const r of report.resources ?? []) {
    const label = resourceLabel(r.resource);
    if (!isKubernetesResource(r.resource) || withFindings.has(label) || passed.has(label)) continue;
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

  const maxBytes = opts.maxBytes ?? POLICY_REPORT_MAX_BYTES;
  return [...groups.keys()]
    .sort()
    .flatMap((ns) =>
      batches([...(groups.get(ns) ?? new Map<string, PolicyReportResult[]>()).values()], maxBytes).map((results, i) =>
        document(ns, i, results),
      ),
    );

  function document(ns: string, part: number, results: PolicyReportResult[]): PolicyReportDoc {
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
    const base = cluster ? `${TOOL_NAME}-cluster` : `${TOOL_NAME}-${ns}`;
    return {
      apiVersion,
      kind,
      metadata: {
        name: part === 0 ? base : `${base}-${part + 1}`,
        ...(cluster ? {} : { namespace: ns }),
        labels: { 'app.kubernetes.io/managed-by': TOOL_NAME },
      },
      summary,
      results,
    };
  }
}

/** Fixed cost of a report around its results (metadata, summary), with room to spare. */
const DOC_OVERHEAD = 1024;

/**
 * Results in batches whose JSON stays under `maxBytes`, a resource's results kept together; only a
 * resource that alone is over the limit is spread over several batches.
 */
export function batches(resources: PolicyReportResult[][], maxBytes: number): PolicyReportResult[][] {
  const out: PolicyReportResult[][] = [];
  let current: PolicyReportResult[] = [];
  let size = DOC_OVERHEAD;
  const flush = (): void => {
    if (current.length > 0) out.push(current);
    current = [];
    size = DOC_OVERHEAD;
  };
  for (const results of resources) {
    const sizes = results.map((r) => Buffer.byteLength(JSON.stringify(r)) + 1);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (size + total > maxBytes) flush();
    results.forEach((r, i) => {
      const n = sizes[i] as number;
      if (size + n > maxBytes && current.length > 0) flush();
      current.push(r);
      size += n;
    });
  }
  flush();
  return out;
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
