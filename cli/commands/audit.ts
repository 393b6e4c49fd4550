import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EXIT_OK, EXIT_USAGE, UsageError, type Command } from '../io.js';
import { oneOf, parseFlags } from '../args.js';
import {
  allRules,
  FAIL_ON,
  FORMATS,
  getReporter,
  loadConfig,
  POLICY_REPORT_APIS,
  reportObjects,
  escapeControls,
  scanVerdict,
  type FailOn,
  type ReportError,
  type ScanReport,
} from '../../policies/index.js';

export const AUDIT_USAGE = `Usage: persistguard audit [--kubeconfig FILE | --in-cluster] [options]

Evaluates everything already running in a cluster with the same rules as 'scan' and the webhook:
Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, bare Pods and ReplicaSets not owned by a
Deployment (objects created by one of those are judged through it). Cluster lookups (claims, storage
classes, volumes, node images, claim users) come from the live cluster.

Options:
  --kubeconfig FILE           kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)
  --in-cluster                use the pod's service account
  --namespace NS              audit one namespace (default: all)
  -c, --config FILE           persistguard config (default: .persistguard.yaml from the working directory)
  -f, --format FORMAT         ${FORMATS.join('|')} (default: text)
  -o, --output FILE           write the report to FILE instead of stdout
  --fail-on LEVEL             ${FAIL_ON.join('|')}: exit 1 when a finding reaches LEVEL (default: error)
  --apply-policy-reports      also write the results into the cluster as PolicyReports (server-side apply)
  --policy-report-api API     ${POLICY_REPORT_APIS.join('|')} (default: wgpolicyk8s)
  --sync-timeout SECONDS      how long to wait for the cluster caches (default: 60)
  -h, --help                  show this help

Exit codes: 0 nothing reaches --fail-on, 1 something does, 2 usage, connection or permission errors
(whatever could be read is still reported).
`;

const FIELD_MANAGER = 'persistguard';

function parse(args: string[]) {
  return parseFlags(
    {
      args,
      allowPositionals: false,
      options: {
        kubeconfig: { type: 'string' },
        'in-cluster': { type: 'boolean' },
        namespace: { type: 'string', short: 'n' },
        config: { type: 'string', short: 'c' },
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        'fail-on': { type: 'string' },
        'apply-policy-reports': { type: 'boolean' },
        'policy-report-api': { type: 'string' },
        'sync-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    AUDIT_USAGE,
  );
}

function formatError(e: ReportError): string {
  return escapeControls(`${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ${e.message}`);
}

export const auditCommand: Command = async (args, io) => {
  const { values } = parse(args);
  if (values.help) {
    io.stdout.write(AUDIT_USAGE);
    return EXIT_OK;
  }
  if (values.kubeconfig !== undefined && values['in-cluster'])
    throw new UsageError('use either --kubeconfig or --in-cluster, not both');
  const format = oneOf('format', values.format, FORMATS, 'text');
  const failOn = oneOf<FailOn>('fail-on', values['fail-on'], FAIL_ON, 'error');
  const policyReportApi = oneOf('policy-report-api', values['policy-report-api'], POLICY_REPORT_APIS, 'wgpolicyk8s');
  const syncTimeout = values['sync-timeout'] === undefined ? 60 : Number(values['sync-timeout']);
  if (!Number.isFinite(syncTimeout) || syncTimeout <= 0)
    throw new UsageError(`--sync-timeout must be a positive number of seconds, not '${values['sync-timeout']}'`);
  const namespace = values.namespace;
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new UsageError(`--namespace '${namespace}' is not a valid namespace name`);
  const output = values.output !== undefined && values.output !== '-' ? resolve(io.cwd, values.output) : undefined;
  const reporter = await getReporter(format);
  if (!reporter) throw new UsageError(`unknown format '${format}'`);

  const { config, errors: configErrors } = await loadConfig({
    scanRoot: '.',
    explicitPath: values.config,
    cwd: io.cwd,
  });
  if (configErrors.length > 0) {
    for (const e of configErrors) io.stderr.write(`persistguard audit: config error: ${formatError(e)}\n`);
    return EXIT_USAGE;
  }

  // Loaded here, not at the top: `persistguard scan` must never pay for @kubernetes/client-node.
  const cluster = await import('../../webhook/cluster/index.js');
  const { listWorkloads, reportPath } = await import('../../webhook/cluster/workloads.js');
  let kc;
  try {
    kc = cluster.loadKubeConfig({
      kubeconfig: values.kubeconfig === undefined ? undefined : resolve(io.cwd, values.kubeconfig),
      inCluster: values['in-cluster'] === true,
    });
  } catch (err) {
    io.stderr.write(`persistguard audit: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  const client = new cluster.ApiClient(kc);
  const view = await cluster.createLiveClusterView({ kubeConfig: kc });
  const problems: string[] = [];
  let report: ScanReport;
  try {
    await view.start();
    try {
      // Three failed attempts (~2 s of backoff) are enough to tell a wrong address or a 401/403 apart.
      await view.waitForSync(syncTimeout * 1000, 3);
    } catch (err) {
      io.stderr.write(`persistguard audit: cannot read the cluster at ${client.server}: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
    // With `target: auto` the engine asks the view (`flavor()`): k3s nodes switch on the k3s image checks.
    const listing = await listWorkloads(client, namespace);
    for (const e of listing.errors) problems.push(`cannot list ${e.kind.resource}: ${e.message}`);
    const objects = listing.workloads.map(({ kind, object }) => {
      const ns = object.metadata?.namespace;
      return { object, file: `cluster:${kind.kind}/${ns ? `${ns}/` : ''}${object.metadata?.name ?? ''}` };
    });
    report = reportObjects(objects, { config, view, now: new Date() });
  } finally {
    await view.stop();
  }

  const rendered = reporter.render(report, { rules: allRules.map((r) => r.meta), policyReportApi });
  if (output !== undefined) {
    await mkdir(dirname(output), { recursive: true });
    await writeFile(output, rendered);
    const s = report.summary;
    io.stderr.write(
      `persistguard audit: wrote ${values.output} (${s.resources} resources, ${s.errors} errors, ${s.warnings} warnings, ${s.suppressed} suppressed)\n`,
    );
  } else {
    io.stdout.write(rendered);
  }

  if (values['apply-policy-reports']) {
    const { policyReports } = await import('../../policies/index.js');
    let applied = 0;
    for (const doc of policyReports(report, { policyReportApi })) {
      const where = `${doc.kind} ${doc.metadata.namespace ? `${doc.metadata.namespace}/` : ''}${doc.metadata.name}`;
      try {
        // Server-side apply: creates or updates, owned by one field manager, idempotent across runs.
        await client.request(`${reportPath(doc)}?fieldManager=${FIELD_MANAGER}&force=true`, {
          method: 'PATCH',
          body: JSON.stringify(doc),
          contentType: 'application/apply-patch+yaml',
        });
        applied++;
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        const hint =
          status === 404
            ? ` (is the ${doc.apiVersion} CRD installed? Kyverno and Policy Reporter install it; or try --policy-report-api ${policyReportApi === 'wgpolicyk8s' ? 'openreports' : 'wgpolicyk8s'})`
            : status === 403
              ? ' (the audit identity needs create/patch on this resource: deploy/overlays/audit-cronjob has the RBAC)'
              : '';
        problems.push(`cannot apply ${where}: ${(err as Error).message}${hint}`);
      }
    }
    io.stderr.write(
      `persistguard audit: applied ${applied} ${policyReportApi === 'openreports' ? 'Report' : 'PolicyReport'}(s)\n`,
    );
  }

  for (const e of report.errors) io.stderr.write(`persistguard audit: input error: ${formatError(e)}\n`);
  for (const p of problems) io.stderr.write(`persistguard audit: ${p}\n`);
  return scanVerdict(report, failOn, { otherProblems: problems.length }).exitCode;
};
