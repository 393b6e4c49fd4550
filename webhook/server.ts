/**
 * The HTTPS server: express 5 routes over `https.createServer`, with certificate reload, JSON decision logs,
 * Prometheus metrics and graceful shutdown. All policy lives in `admission.ts` (and the core behind it);
 * this file only moves bytes, and never lets a request body take the process down.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { errorMessage, type ClusterView, type ResolvedConfig } from '../policies/index.js';
import type { InformerStatus } from './cluster/types.js';
import type { ExistingViolations } from './existing-violations.js';
import { admit, type Decision, type FailChoice, type WebhookMode } from './admission.js';
import { reviewJson, type AdmissionRequest } from './review.js';
import { plainValidateLength, readPlainBody } from './plain-body.js';
import { Screening } from './screen-pool.js';
import { CertificateReloader, secureContextOptions } from './tls.js';
import { createMetrics, type WebhookMetrics } from './metrics.js';
import { silentLogger, type Logger } from './log.js';
import { ConnectionTracker } from './connections.js';

export const DEFAULT_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

export interface WebhookServerOptions {
  config: ResolvedConfig;
  mode: WebhookMode;
  /** Live cluster lookups; undefined for `--no-cluster`. A view with `status()` feeds /readyz and /metrics. */
  view?: ClusterView;
  onCacheMiss?: FailChoice;
  onError?: FailChoice;
  /** UPDATEs that add no new violation: allowed with warnings (default) or judged alone. */
  existingViolations?: ExistingViolations;
  tlsCertFile: string;
  tlsKeyFile: string;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** Also serve /metrics, /healthz and /readyz over plain HTTP on this port (Prometheus without TLS config). */
  metricsPort?: number;
  logger?: Logger;
  bodyLimitBytes?: number;
  /**
   * Bodies from this size on are screened (decoded, parsed, measured against the work budget) on worker threads
   * instead of the event loop (default 64 KiB). Without the compiled worker script (running from TypeScript
   * sources) every body is screened on the event loop.
   */
  offloadBytes?: number;
  /** Screening worker threads (default: one per CPU beyond the first, at least one, at most two). */
  screenWorkers?: number;
  /** The compiled screen-worker.js; defaults to the one next to this module. */
  screenWorkerUrl?: URL;
  /** Bytes of large bodies waiting for a worker before the webhook answers 429 (default 64 MiB). */
  screenQueueBytes?: number;
  /** How often the certificate files are re-read besides watch events (default 10 s). */
  certPollMs?: number;
  /** How long shutdown waits for in-flight requests before cutting connections (default 20 s). */
  shutdownGraceMs?: number;
  /** How long a client may take to finish the TLS handshake before its socket is destroyed (default 10 s). */
  handshakeTimeoutMs?: number;
  clock?: () => Date;
}

export interface WebhookServer {
  readonly port: number;
  readonly metricsPort?: number;
  readonly server: https.Server;
  readonly metrics: WebhookMetrics;
  readonly certificates: CertificateReloader;
  /** Requests whose headers have arrived and whose response is not finished (what shutdown waits for). */
  readonly inFlight: number;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes. Idempotent. */
  close(): Promise<void>;
}

type StatusView = ClusterView & { status(): InformerStatus[] };

function hasStatus(view: ClusterView | undefined): view is StatusView {
  return view !== undefined && typeof (view as Partial<StatusView>).status === 'function';
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
  const limit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const { certificates, metrics } = await loadCertificatesWithMetrics(opts, logger);
  const drain = new ConnectionTracker();
  const health = healthRoutes(() => readiness(opts.view, certificates, drain.draining), metrics);
  const screening = Screening.start(opts);
  const validate = validateHandler(opts, metrics, logger, screening);
  const app = admissionApp(validate, { health, metrics, logger, limit });

  const server = https.createServer(
    { ...secureContextOptions(certificates.pair), handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000 },
    requestListener(app, validate, { metrics, logger, limit }),
  );
  drain.attach(server);
  hardenServer(server, metrics, drain);
  try {
    await listen(server, opts.port, opts.host);
  } catch (err) {
    await screening.close();
    throw err;
  }
  certificates.start(server, opts.certPollMs);

  let metricsServer: http.Server | undefined;
  if (opts.metricsPort !== undefined) {
    try {
      metricsServer = await startMetricsServer(health, opts.metricsPort, opts.host);
    } catch (err) {
      certificates.stop();
      await screening.close();
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
    cluster: opts.view ? opts.view.kind : 'none',
    onCacheMiss: opts.onCacheMiss ?? 'allow',
    onError: opts.onError ?? 'allow',
    existingViolations: opts.existingViolations ?? 'allow',
    config: opts.config.source ?? 'built-in defaults',
    certificateNotAfter: certificates.pair.notAfter.toISOString(),
    screening: screening.describe(),
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= shutdown({
      server,
      metricsServer,
      certificates,
      drain,
      screening,
      logger,
      graceMs: opts.shutdownGraceMs ?? 20_000,
    });
    return closing;
  };
  return {
    port,
    metricsPort,
    server,
    metrics,
    certificates,
    close,
    get inFlight() {
      return drain.inFlight;
    },
  };
}

/** The serving certificate, reloaded on change, and the metrics that report its reloads and expiry. */
async function loadCertificatesWithMetrics(
  opts: WebhookServerOptions,
  logger: Logger,
): Promise<{ certificates: CertificateReloader; metrics: WebhookMetrics }> {
  const view = opts.view;
  // Assigned right after the reloader, whose callbacks report to it (they only run once it is started).
  // eslint-disable-next-line prefer-const -- read by the callbacks above its assignment
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
  return { certificates, metrics };
}

/**
 * A JSON answer, with the headers express 5's `res.type('application/json').send(text)` wrote (same bytes on the
 * wire), in one `end()`: Node then writes the head and the body together, in one TLS record.
 */
function writeJson(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, [
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    `${Buffer.byteLength(text)}`,
  ]);
  res.end(text);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  writeJson(res, status, JSON.stringify(body));
}

/** What /readyz reports: not ready while the cluster caches sync or while shutting down. */
function readiness(view: ClusterView | undefined, certificates: CertificateReloader, draining: boolean) {
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
}

/** GET /healthz, /readyz, /metrics: served on the HTTPS port and, with --metrics-port, on plain HTTP. */
function healthRoutes(ready: () => ReturnType<typeof readiness>, metrics: WebhookMetrics): express.Router {
  const health = express.Router();
  health.get('/healthz', (_req, res) => sendJson(res, 200, { ok: true }));
  health.get('/readyz', (_req, res) => {
    const r = ready();
    sendJson(res, r.ready ? 200 : 503, r);
  });
  health.get('/metrics', async (_req, res, next) => {
    try {
      const text = await metrics.registry.metrics();
      res.status(200).type(metrics.registry.contentType).send(text);
    } catch (err) {
      next(err);
    }
  });
  return health;
}

interface ErrorParts {
  metrics: WebhookMetrics;
  logger: Logger;
  limit: number;
}

type ValidateHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: unknown) => Promise<void>;

/**
 * The HTTPS request listener: a plain POST /validate (plain-body.ts) is read and answered without express; the
 * express app serves everything else, including /validate bodies that are chunked, compressed or too large.
 */
function requestListener(app: express.Express, validate: ValidateHandler, parts: ErrorParts) {
  const failed = errorHandler(parts.metrics, parts.logger, parts.limit);
  const abortedError = { type: 'request.aborted' };
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (plainValidateLength(req, parts.limit) === undefined) {
      void app(req, res);
      return;
    }
    readPlainBody(
      req,
      (body) => validate(req, res, body).catch((err: unknown) => failed(err, req, res, noNext)),
      // As body-parser reports it: answered 400 (if the socket still takes it) and counted as `aborted`.
      () => failed(abortedError, req, res, noNext),
    );
  };
}

const noNext = (): void => undefined;

/** The express app: POST /validate first (the hot path), then the probes, a 404 and the error handler. */
function admissionApp(validate: ValidateHandler, parts: ErrorParts & { health: express.Router }): express.Express {
  const { health, metrics, logger, limit } = parts;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post('/validate', express.raw({ type: () => true, limit }), (req: Request, res: Response) =>
    validate(req, res, req.body),
  );
  // After /validate: admission requests are the hot path and must not walk the probe routes first.
  app.use(health);
  app.use((_req: Request, res: Response) =>
    sendJson(res, 404, { error: 'not found: the webhook serves POST /validate, GET /healthz, /readyz, /metrics' }),
  );
  app.use(errorHandler(metrics, logger, limit));
  return app;
}

/** POST /validate: screen the body, let admit() decide (it never throws), answer, then count and log the decision. */
function validateHandler(opts: WebhookServerOptions, metrics: WebhookMetrics, logger: Logger, screening: Screening) {
  const clock = opts.clock ?? (() => new Date());
  return async (_req: http.IncomingMessage, res: http.ServerResponse, body: unknown): Promise<void> => {
    const started = process.hrtime.bigint();
    const { screened: parsed, offloaded } = await screening.screen(body);
    if ('busy' in parsed) {
      // The API server counts this as a failed call and applies the webhook's failurePolicy.
      metrics.observeBadRequest('busy');
      logger.warn('large request bodies queued beyond the limit: answered 429', { bytes: (body as Buffer).length });
      res.setHeader('Retry-After', '1');
      return sendJson(res, 429, { error: 'too many large admission requests are waiting to be screened; retry' });
    }
    if (!('request' in parsed)) {
      metrics.observeBadRequest(parsed.reason);
      return sendJson(res, 400, { error: parsed.error });
    }
    const request = parsed.request;
    const decision = admit(request, {
      config: opts.config,
      mode: opts.mode,
      view: opts.view,
      onCacheMiss: opts.onCacheMiss,
      onError: opts.onError,
      existingViolations: opts.existingViolations,
      now: clock(),
    });
    writeJson(res, 200, reviewJson(decision.response));

    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (decision.internalError) {
      logger.error('admission internal error', {
        uid: request.uid,
        error: decision.internalError.message,
        stack: decision.internalError.stack,
      });
    }
    metrics.observeDecision(request.kind.kind, request.operation, decision, seconds);
    logDecision(logger, request, decision, seconds, offloaded);
  };
}

/** Express 5 routes both thrown errors and rejected promises here; the process never sees them. */
function errorHandler(metrics: WebhookMetrics, logger: Logger, limit: number) {
  return (err: unknown, _req: http.IncomingMessage, res: http.ServerResponse, _next: NextFunction): void => {
    const { reason, message } = bodyErrorText(err, limit);
    const e = err as { type?: string };
    if (typeof e.type === 'string') {
      metrics.observeBadRequest(reason);
      if (!res.headersSent) sendJson(res, 400, { error: message });
      return;
    }
    logger.error('request failed', { error: errorMessage(err) });
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  };
}

/** Timeouts and handlers for what never reaches express (malformed HTTP, failed TLS handshakes). */
function hardenServer(server: https.Server, metrics: WebhookMetrics, connections: ConnectionTracker): void {
  // The API server's HTTP client keeps idle connections up to 90 s: outliving that means the client,
  // not the server, closes them, so a request never races a server-side close.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (_err, socket) => {
    // Before the handshake there is no TLS session to carry an HTTP answer: an `end()` there never
    // flushes, and the socket would stay in CLOSE-WAIT for good.
    if (!connections.isSecured(socket) || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n', () => socket.destroy());
  });
  server.on('tlsClientError', () => metrics.observeBadRequest('tls-handshake'));
}

/** The probes and /metrics over plain HTTP, for Prometheus without TLS configuration. */
async function startMetricsServer(health: express.Router, port: number, host: string | undefined) {
  const plain = express();
  plain.disable('x-powered-by');
  plain.use(health);
  plain.use((_req: Request, res: Response) =>
    sendJson(res, 404, { error: 'not found: this port serves GET /healthz, /readyz, /metrics' }),
  );
  const metricsServer = http.createServer(plain);
  await listen(metricsServer, port, host);
  return metricsServer;
}

interface ShutdownParts {
  server: https.Server;
  metricsServer: http.Server | undefined;
  certificates: CertificateReloader;
  drain: ConnectionTracker;
  screening: Screening;
  logger: Logger;
  graceMs: number;
}

/**
 * Stops accepting, answers in-flight requests with `Connection: close` (up to the grace period), then destroys
 * every socket still open — idle keep-alive, mid-handshake or stuck — so shutdown always ends.
 */
async function shutdown({ server, metricsServer, certificates, drain, screening, logger, graceMs }: ShutdownParts) {
  drain.startDraining();
  logger.info('shutting down: no new connections, finishing in-flight requests', { inFlight: drain.inFlight });
  certificates.stop();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  if (!(await drain.quiet(graceMs)))
    logger.warn('shutdown grace period over; closing remaining connections', {
      inFlight: drain.inFlight,
      open: drain.open,
    });
  server.closeAllConnections();
  drain.destroyAll();
  await closed;
  await screening.close();
  if (metricsServer) {
    await new Promise<void>((resolve) => {
      metricsServer.close(() => resolve());
      metricsServer.closeAllConnections();
    });
  }
  logger.info('webhook stopped');
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

function logDecision(logger: Logger, req: AdmissionRequest, d: Decision, seconds: number, offloaded: boolean): void {
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
    // Screened on a worker thread (a large body): its latency includes the queue for a worker.
    offloaded: offloaded || undefined,
  });
}
