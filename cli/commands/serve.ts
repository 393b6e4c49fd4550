import path from 'node:path';
import { UsageError, type Command } from '../io.js';
import { oneOf, parseFlags } from '../args.js';
import { FAIL_CHOICES, loadConfig, WEBHOOK_MODES } from '../../policies/index.js';
import type { LiveClusterOptions, LiveClusterView } from '../../webhook/cluster/types.js';
import type { FailChoice, WebhookMode } from '../../policies/index.js';
import { EXISTING_VIOLATIONS, type ExistingViolations } from '../../webhook/existing-violations.js';
import { createJsonLogger } from '../../webhook/log.js';
import { startWebhookServer, type WebhookServer } from '../../webhook/server.js';

const HELP = `Usage: persistguard serve --tls-cert FILE --tls-key FILE [options]

Runs the validating admission webhook: POST /validate (admission.k8s.io/v1 AdmissionReview),
GET /healthz, /readyz, /metrics. Logs one JSON line per decision on stdout.

Options:
  --port N                 HTTPS port (default 8443)
  --host ADDR              address to bind (default 0.0.0.0)
  --tls-cert FILE          PEM serving certificate (reloaded when it changes on disk)
  --tls-key FILE           PEM private key
  --config FILE            persistguard config (default: .persistguard.yaml found from the working directory)
  --mode ${WEBHOOK_MODES.join('|')}     enforce: deny error findings; audit: never deny, only warn (default enforce)
  --kubeconfig FILE        watch the cluster through this kubeconfig
  --in-cluster             watch the cluster with the pod's service account
  --no-cluster             no cluster lookups (demo mode; rules that need the cluster stay silent)
  --on-cache-miss ${FAIL_CHOICES.join('|')}  answer while the cluster caches are not synced (default allow)
  --on-error ${FAIL_CHOICES.join('|')}    answer for an object persistguard cannot read (default allow)
  --existing-violations allow|deny
                           UPDATE of an object that already broke a rule: allow when it adds no new
                           violation, with warnings (default allow, like Kyverno's allowExistingViolations)
  --metrics-port N         also serve /metrics, /healthz, /readyz over plain HTTP on this port
`;

function portNumber(flag: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`${flag} must be a port number (0-65535), got '${value}'`);
  return n;
}

/** Loaded only when a cluster is used, so `--no-cluster` never loads @kubernetes/client-node. */
async function liveView(opts: LiveClusterOptions): Promise<LiveClusterView> {
  const { createLiveClusterView, tuneHeapForCaches } = await import('../../webhook/cluster/index.js');
  // Opt-in (PERSISTGUARD_V8_TUNING=on): V8 compacts its heap while the caches are listed (see heap.ts).
  tuneHeapForCaches();
  return createLiveClusterView(opts);
}

export const serveCommand: Command = async (args, io) => {
  const { values } = parseFlags(
    {
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        config: { type: 'string' },
        mode: { type: 'string' },
        kubeconfig: { type: 'string' },
        'in-cluster': { type: 'boolean' },
        'no-cluster': { type: 'boolean' },
        'on-cache-miss': { type: 'string' },
        'on-error': { type: 'string' },
        'existing-violations': { type: 'string' },
        'metrics-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    },
    HELP,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if (!certFile || !keyFile)
    throw new UsageError(
      `--tls-cert and --tls-key are required (make a pair with: persistguard certs --out DIR)\n\n${HELP}`,
    );
  const mode = oneOf<WebhookMode>('mode', values.mode, WEBHOOK_MODES, 'enforce');
  const onCacheMiss = oneOf<FailChoice>('on-cache-miss', values['on-cache-miss'], FAIL_CHOICES, 'allow');
  const onError = oneOf<FailChoice>('on-error', values['on-error'], FAIL_CHOICES, 'allow');
  const existingViolations = oneOf<ExistingViolations>(
    'existing-violations',
    values['existing-violations'],
    EXISTING_VIOLATIONS,
    'allow',
  );
  const port = portNumber('--port', values.port, 8443) as number;
  const metricsPort = portNumber('--metrics-port', values['metrics-port'], undefined);
  const clusterFlags = [
    values.kubeconfig !== undefined,
    values['in-cluster'] === true,
    values['no-cluster'] === true,
  ].filter(Boolean).length;
  if (clusterFlags > 1) throw new UsageError('use only one of --kubeconfig, --in-cluster and --no-cluster');

  const { config, errors } = await loadConfig({
    scanRoot: io.cwd,
    explicitPath: values.config === undefined ? undefined : path.resolve(io.cwd, values.config),
  });
  if (errors.length > 0) {
    for (const e of errors)
      io.stderr.write(`${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ${e.message}\n`);
    io.stderr.write('persistguard serve: the config has errors; not starting\n');
    return 2;
  }

  const logger = createJsonLogger(io.stdout);
  let view: LiveClusterView | undefined;
  if (!values['no-cluster']) {
    try {
      view = await liveView({
        kubeconfig: values.kubeconfig === undefined ? undefined : path.resolve(io.cwd, values.kubeconfig),
        inCluster: values['in-cluster'] === true,
      });
    } catch (err) {
      io.stderr.write(
        `persistguard serve: cannot set up cluster lookups: ${(err as Error).message}\n(use --no-cluster to run without them)\n`,
      );
      return 2;
    }
  }

  let server: WebhookServer;
  try {
    server = await startWebhookServer({
      config,
      mode,
      view,
      onCacheMiss,
      onError,
      existingViolations,
      tlsCertFile: path.resolve(io.cwd, certFile),
      tlsKeyFile: path.resolve(io.cwd, keyFile),
      port,
      host: values.host ?? '0.0.0.0',
      metricsPort,
      logger,
    });
  } catch (err) {
    io.stderr.write(`persistguard serve: ${(err as Error).message}\n`);
    await view?.stop().catch(() => undefined);
    return 2;
  }

  // Informers sync in the background: /readyz says "syncing" meanwhile, and --on-cache-miss decides answers.
  if (view) {
    const v = view;
    v.start().catch((err: unknown) =>
      logger.error('cluster view failed to start', { error: err instanceof Error ? err.message : String(err) }),
    );
  }

  await io.stopSignal;
  await server.close();
  await view
    ?.stop()
    .catch((err: unknown) =>
      logger.error('cluster view failed to stop', { error: err instanceof Error ? err.message : String(err) }),
    );
  logger.flush();
  return 0;
};
