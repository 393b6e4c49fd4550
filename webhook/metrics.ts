/**
 * Prometheus metrics in a registry of the webhook's own (not prom-client's global one), so several servers
 * in one process (tests) never collide and nothing else in the process leaks into /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { InformerStatus } from './cluster/types.js';
import type { Decision } from './admission.js';

export interface WebhookMetrics {
  registry: Registry;
  observeDecision(kind: string, operation: string, decision: Decision, seconds: number): void;
  observeBadRequest(reason: string): void;
  observeTlsReload(result: 'ok' | 'error'): void;
}

/** The kinds label is bounded: anything the webhook does not know is `other`. */
const KNOWN_KINDS = new Set([
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'PersistentVolumeClaim',
]);

export interface MetricsSources {
  informers?: () => InformerStatus[];
  certificateNotAfter?: () => Date | undefined;
  /** Include Node.js process metrics (CPU, memory, event loop lag). Default true. */
  processMetrics?: boolean;
}

export function createMetrics(sources: MetricsSources = {}): WebhookMetrics {
  const registry = new Registry();
  if (sources.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'persistguard_' });

  const requests = new Counter({
    name: 'persistguard_admission_requests_total',
    help: 'Admission requests answered, by kind, operation, verdict (allow, warn, deny) and reason.',
    labelNames: ['kind', 'operation', 'verdict', 'reason'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'persistguard_admission_duration_seconds',
    help: 'Time to answer an admission request (body parsed to response serialised), by kind and verdict.',
    labelNames: ['kind', 'verdict'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const findings = new Counter({
    name: 'persistguard_findings_total',
    help: 'Unsuppressed findings in admission requests, by rule and severity.',
    labelNames: ['rule', 'severity'] as const,
    registers: [registry],
  });
  const suppressed = new Counter({
    name: 'persistguard_findings_suppressed_total',
    help: 'Findings exempted by annotation or config in admission requests.',
    registers: [registry],
  });
  const badRequests = new Counter({
    name: 'persistguard_bad_requests_total',
    help: 'Requests refused with HTTP 400 (not an AdmissionReview v1, not JSON, too large).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const tlsReloads = new Counter({
    name: 'persistguard_tls_reloads_total',
    help: 'Serving certificate reloads from disk, by result (error: the old pair kept serving).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'persistguard_tls_certificate_expiry_timestamp_seconds',
    help: 'notAfter of the serving certificate, as a Unix timestamp.',
    registers: [registry],
    collect() {
      const d = sources.certificateNotAfter?.();
      if (d) this.set(d.getTime() / 1000);
    },
  });
  const informers = () => sources.informers?.() ?? [];
  new Gauge({
    name: 'persistguard_informer_synced',
    help: '1 when the informer cache has synced, else 0.',
    labelNames: ['resource'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of informers()) this.set({ resource: s.resource }, s.synced ? 1 : 0);
    },
  });
  new Gauge({
    name: 'persistguard_informer_last_sync_age_seconds',
    help: 'Seconds since the informer last listed or received a watch event.',
    labelNames: ['resource'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of informers())
        if (s.lastSyncAgeSeconds !== undefined) this.set({ resource: s.resource }, s.lastSyncAgeSeconds);
    },
  });
  new Gauge({
    name: 'persistguard_informer_objects',
    help: 'Objects held in the informer cache.',
    labelNames: ['resource'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of informers()) this.set({ resource: s.resource }, s.objects);
    },
  });
  new Gauge({
    name: 'persistguard_informer_restarts',
    help: 'Times the informer was restarted after an error.',
    labelNames: ['resource'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of informers()) this.set({ resource: s.resource }, s.restarts);
    },
  });

  return {
    registry,
    observeDecision(kind, operation, decision, seconds) {
      const k = KNOWN_KINDS.has(kind) ? kind : 'other';
      const op = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(operation) ? operation : 'other';
      requests.inc({ kind: k, operation: op, verdict: decision.verdict, reason: decision.reason });
      latency.observe({ kind: k, verdict: decision.verdict }, seconds);
      // Counted per (rule, severity) first: a pathological object can carry tens of thousands of findings.
      const byRule = new Map<string, { rule: string; severity: string; n: number }>();
      for (const f of decision.findings) {
        const key = `${f.ruleId}\0${f.severity}`;
        const entry = byRule.get(key);
        if (entry) entry.n++;
        else byRule.set(key, { rule: f.ruleId, severity: f.severity, n: 1 });
      }
      for (const e of byRule.values()) findings.inc({ rule: e.rule, severity: e.severity }, e.n);
      if (decision.suppressed > 0) suppressed.inc(decision.suppressed);
    },
    observeBadRequest(reason) {
      badRequests.inc({ reason });
    },
    observeTlsReload(result) {
      tlsReloads.inc({ result });
    },
  };
}
