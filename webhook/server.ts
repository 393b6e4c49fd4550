/**
 * The HTTPS server: express 5 routes over `https.createServer`, with certificate reload, JSON decision logs,
 * Prometheus metrics and graceful shutdown. All policy lives in `admission.ts` (and the core behind it);
 * this file only moves bytes, and never lets a request body take the process down.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ClusterView, ResolvedConfig } from '../policies/index.js';
import type { InformerStatus } from './cluster/types.js';
import { admit, type Decision, type FailChoice, type WebhookMode } from './admission.js';
import { parseAdmissionReview, reviewResponse, ReviewParseError, type AdmissionRequest } from './review.js';
import { CertificateReloader, secureContextOptions } from './tls.js';
import { createMetrics, type WebhookMetrics } from './metrics.js';
import { silentLogger, type Logger } from './log.js';

export const DEFAULT_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export interface WebhookServerOptions {
  config: ResolvedConfig;
  mode: WebhookMode;
  /** Live cluster lookups; undefined for `--no-cluster`. A view with `status()` feeds /readyz and /metrics. */
  view?: ClusterView;
  onCacheMiss?: FailChoice;
  onError?: FailChoice;
  tlsCertFile: string;
  tlsKeyFile: string;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** Also serve /metrics, /healthz and /readyz over plain HTTP on this port (Prometheus without TLS config). */
  metricsPort?: number;
  logger?: Logger;
  bodyLimitBytes?: number;
  /** How often the certificate files are re-read besides watch events (default 10 s). */
  certPollMs?: number;
  /** How long shutdown waits for in-flight requests before cutting connections (default 20 s). */
  shutdownGraceMs?: number;
  clock?: () => Date;
}

export interface WebhookServer {
  readonly port: number;
  readonly metricsPort?: number;
  readonly server: https.Server;
  readonly metrics: WebhookMetrics;
  readonly certificates: CertificateReloader;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes. Idempotent. */
  close(): Promise<void>;
}

type StatusView = ClusterView & { status(): InformerStatus[] };

function hasStatus(view: ClusterView | undefined): view is StatusView {
  return view !== undefined && typeof (view as Partial<StatusView>).status === 'function';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Body-parser errors carry `type` and `status`; they are the client's fault: HTTP 400, never 500. */
function bodyErrorText(err: unknown, limit: number): { reason: string; message: string } {
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.too.large') return { reason: 'too-large', message: `request body exceeds ${limit} bytes` };
  if (e.type === 'request.aborted') return { reason: 'aborted', message: 'request aborted by the client' };
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return { reason: 'encoding', message: `unsupported body encoding: ${e.message ?? ''}` };
  return { reason: 'unreadable', message: `cannot read request body: ${e.message ?? String(err)}` };
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? (() => new Date());
  const limit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const view = opts.view;
  // eslint-disable-next-line prefer-const -- assigned below, after the reloader whose callback reports to it
  let metrics: WebhookMetrics | undefined;
  const certificates = await CertificateReloader.load(opts.tlsCertFile, opts.tlsKeyFile, {
    onReload: (pair) => {
      metrics?.observeTlsReload('ok');
      logger.info('tls certificate reloaded', { subject: pair.subject, notAfter: pair.notAfter.toISOString() });
    },
    onError: (err) => {
      metrics?.observeTlsReload('error');
      logger.error('tls certificate reload failed; the previous certificate keeps serving', { error: err.message });
    },
  });
  metrics = createMetrics({
    informers: hasStatus(view) ? () => view.status() : undefined,
    certificateNotAfter: () => certificates.pair.notAfter,
  });
  const m = metrics;

  let draining = false;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const sendJson = (res: Response, status: number, body: unknown): void => {
    res.status(status).type('application/json').send(JSON.stringify(body));
  };

  const readiness = () => {
    const cert = {
      ok: true,
      notAfter: certificates.pair.notAfter.toISOString(),
      ...(certificates.lastError ? { reloadError: certificates.lastError } : {}),
    };
    const clusterReady = view ? view.ready() : true;
    const cluster = view
      ? {
          ok: clusterReady,
          mode: view.kind,
          ...(hasStatus(view)
            ? { informers: view.status().filter((s) => !clusterReady || !s.synced || s.lastError) }
            : {}),
        }
      : { ok: true, mode: 'none' };
    const notReady: string[] = [];
    if (!cluster.ok) notReady.push('cluster caches are not synced');
    if (draining) notReady.push('shutting down');
    return { ready: notReady.length === 0, notReady, certificate: cert, cluster };
  };

  const health = express.Router();
  health.get('/healthz', (_req, res) => sendJson(res, 200, { ok: true }));
  health.get('/readyz', (_req, res) => {
    const r = readiness();
    sendJson(res, r.ready ? 200 : 503, r);
  });
  health.get('/metrics', async (_req, res, next) => {
    try {
      const text = await m.registry.metrics();
      res.status(200).type(m.registry.contentType).send(text);
    } catch (err) {
      next(err);
    }
  });
  app.post('/validate', express.raw({ type: () => true, limit }), (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const raw: unknown = req.body;
    if (!Buffer.isBuffer(raw) || raw.length === 0) {
      m.observeBadRequest('empty');
      return sendJson(res, 400, { error: 'empty request body: expected an admission.k8s.io/v1 AdmissionReview' });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      m.observeBadRequest('not-json');
      return sendJson(res, 400, { error: `request body is not JSON: ${errorMessage(err).slice(0, 200)}` });
    }
    let request: AdmissionRequest;
    try {
      request = parseAdmissionReview(body);
    } catch (err) {
      m.observeBadRequest('not-admission-review');
      return sendJson(res, 400, {
        error: err instanceof ReviewParseError ? err.message : `invalid AdmissionReview: ${errorMessage(err)}`,
      });
    }

    let decision: Decision;
    try {
      decision = admit(request, {
        config: opts.config,
        mode: opts.mode,
        view,
        onCacheMiss: opts.onCacheMiss,
        onError: opts.onError,
        now: clock(),
      });
    } catch (err) {
      // admit() handles every input it knows of; this is a bug, answered as configured for unreadable objects.
      const denyIt = opts.onError === 'deny';
      const message = `persistguard internal error: ${errorMessage(err).slice(0, 300)}`;
      decision = {
        response: denyIt
          ? { uid: request.uid, allowed: false, status: { code: 500, reason: 'InternalError', message } }
          : { uid: request.uid, allowed: true, warnings: [`${message} (allowed: --on-error=allow)`] },
        verdict: denyIt ? 'deny' : 'warn',
        reason: 'unreadable',
        findings: [],
        suppressed: 0,
        detail: errorMessage(err),
      };
      logger.error('admission internal error', {
        uid: request.uid,
        error: errorMessage(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
    sendJson(res, 200, reviewResponse(decision.response));

    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    m.observeDecision(request.kind.kind, request.operation, decision, seconds);
    logDecision(logger, request, decision, seconds);
  });

  // After /validate: admission requests are the hot path and must not walk the probe routes first.
  app.use(health);

  app.use((_req: Request, res: Response) =>
    sendJson(res, 404, { error: 'not found: the webhook serves POST /validate, GET /healthz, /readyz, /metrics' }),
  );

  // Express 5 routes both thrown errors and rejected promises here; the process never sees them.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { reason, message } = bodyErrorText(err, limit);
    const e = err as { type?: string };
    if (typeof e.type === 'string') {
      m.observeBadRequest(reason);
      if (!res.headersSent) sendJson(res, 400, { error: message });
      return;
    }
    logger.error('request failed', { error: errorMessage(err) });
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  });

  const server = https.createServer(secureContextOptions(certificates.pair), app);
  // Counted from the moment headers arrive (before express sees the request): a request whose body is
  // still coming in is in flight too.
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (draining) server.closeIdleConnections();
      if (inFlight === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    });
    if (draining) res.setHeader('Connection', 'close');
  });
  // The API server's HTTP client keeps idle connections up to 90 s: outliving that means the client,
  // not the server, closes them, so a request never races a server-side close.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('tlsClientError', () => m.observeBadRequest('tls-handshake'));

  await listen(server, opts.port, opts.host);
  certificates.start(server, opts.certPollMs);

  let metricsServer: http.Server | undefined;
  if (opts.metricsPort !== undefined) {
    const plain = express();
    plain.disable('x-powered-by');
    plain.use(health);
    plain.use((_req: Request, res: Response) =>
      sendJson(res, 404, { error: 'not found: this port serves GET /healthz, /readyz, /metrics' }),
    );
    metricsServer = http.createServer(plain);
    try {
      await listen(metricsServer, opts.metricsPort, opts.host);
    } catch (err) {
      certificates.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw err;
    }
  }

  const port = (server.address() as AddressInfo).port;
  const metricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : undefined;
  logger.info('webhook listening', {
    port,
    metricsPort,
    mode: opts.mode,
    cluster: view ? view.kind : 'none',
    onCacheMiss: opts.onCacheMiss ?? 'allow',
    onError: opts.onError ?? 'allow',
    config: opts.config.source ?? 'built-in defaults',
    certificateNotAfter: certificates.pair.notAfter.toISOString(),
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      logger.info('shutting down: no new connections, finishing in-flight requests', { inFlight });
      certificates.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = opts.shutdownGraceMs ?? 20_000;
      const drained =
        inFlight === 0
          ? Promise.resolve(true)
          : new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), grace);
              timer.unref();
              idleWaiters.push(() => {
                clearTimeout(timer);
                resolve(true);
              });
            });
      if (!(await drained)) logger.warn('shutdown grace period over; closing remaining connections', { inFlight });
      server.closeAllConnections();
      await closed;
      if (metricsServer) {
        const ms = metricsServer;
        await new Promise<void>((resolve) => {
          ms.close(() => resolve());
          ms.closeAllConnections();
        });
      }
      logger.info('webhook stopped');
    })();
    return closing;
  };

  return { port, metricsPort, server, metrics: m, certificates, close };
}

function listen(server: http.Server | https.Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`cannot listen on ${host ?? '0.0.0.0'}:${port}: ${err.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function logDecision(logger: Logger, req: AdmissionRequest, d: Decision, seconds: number): void {
  const rules = [...new Set(d.findings.map((f) => f.ruleId))].sort();
  logger.log(d.verdict === 'deny' ? 'warn' : 'info', 'admission decision', {
    uid: req.uid,
    kind: req.kind.kind,
    namespace: req.namespace,
    name: req.name,
    operation: req.operation,
    user: req.userInfo?.username,
    verdict: d.verdict,
    allowed: d.response.allowed,
    reason: d.reason,
    detail: d.detail,
    rules,
    findings: d.findings.length,
    suppressed: d.suppressed || undefined,
    latencyMs: Math.round(seconds * 1e6) / 1e3,
    // The webhook has no side effects, so a dry run is judged exactly like a real request.
    dryRun: req.dryRun === true,
  });
}
