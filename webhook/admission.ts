/**
 * The webhook's verdict on one AdmissionReview request. Pure: no I/O, no clock (injected), no globals.
 * The same loader and engine as `persistguard scan`, so a manifest that passes in CI passes admission.
 */
import picomatch from 'picomatch';
import { loadObject, evaluate } from '../policies/index.js';
import type { ClusterView, ResolvedConfig, PendingFinding } from '../policies/index.js';
import type { AdmissionRequest, AdmissionResponse } from './review.js';
import { boundedWarnings, denialMessage, findingLine, printable, truncate } from './messages.js';

export type WebhookMode = 'enforce' | 'audit';
export type FailChoice = 'allow' | 'deny';

export interface AdmissionOptions {
  config: ResolvedConfig;
  mode: WebhookMode;
  /** The live cluster view; undefined runs without a cluster (`--no-cluster`): lookups come from the object alone. */
  view?: ClusterView;
  /** What to answer while the live view is not ready (default allow, evaluated without cluster lookups). Audit mode always allows. */
  onCacheMiss?: FailChoice;
  /** What to answer for an object the core cannot read (default allow). Audit mode always allows. */
  onError?: FailChoice;
  now?: Date;
}

/** allow: nothing to say; warn: allowed with warnings; deny: refused. */
export type Verdict = 'allow' | 'warn' | 'deny';

/** Why the webhook answered as it did, for logs and metrics. */
export type DecisionReason =
  | 'evaluated'
  | 'not-validated' // a kind, operation or subresource the webhook does not judge
  | 'owned' // judged through its controller
  | 'pvc-guard'
  | 'cache-miss'
  | 'unreadable';

export interface Decision {
  response: AdmissionResponse;
  verdict: Verdict;
  reason: DecisionReason;
  /** Unsuppressed findings that counted (rule id and severity), for metrics and logs. */
  findings: { ruleId: string; severity: string }[];
  suppressed: number;
  /** Extra context for the log line (why unreadable, why not validated). Never object contents. */
  detail?: string;
}

export const ANNOTATION_PROTECTED = 'persistguard.io/protected';
export const ANNOTATION_CONFIRM_DELETE = 'persistguard.io/confirm-delete';

/** `group/version` → kinds the webhook judges on CREATE and UPDATE. */
const VALIDATED: Record<string, ReadonlySet<string>> = {
  '/v1': new Set(['Pod']),
  'apps/v1': new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']),
  'batch/v1': new Set(['Job', 'CronJob']),
};
const VALIDATED_KINDS = new Set(Object.values(VALIDATED).flatMap((s) => [...s]));

export function isValidatedKind(group: string, version: string, kind: string): boolean {
  return VALIDATED[`${group}/${version}`]?.has(kind) ?? false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function allow(uid: string, warnings: string[] = []): AdmissionResponse {
  return warnings.length > 0 ? { uid, allowed: true, warnings } : { uid, allowed: true };
}

function deny(uid: string, code: number, reason: string, message: string): AdmissionResponse {
  return { uid, allowed: false, status: { code, reason, message } };
}

function displayName(req: AdmissionRequest, meta: Record<string, unknown>): string {
  const name =
    req.name ||
    (typeof meta.name === 'string' && meta.name) ||
    (typeof meta.generateName === 'string' && `${meta.generateName}*`) ||
    '<unnamed>';
  const ns = req.namespace || (typeof meta.namespace === 'string' ? meta.namespace : '');
  return ns ? `${ns}/${name}` : name;
}

export function admit(req: AdmissionRequest, opts: AdmissionOptions): Decision {
  const k = req.kind;
  if (req.subResource) return notValidated(req, `subresource ${req.subResource}`);
  if (k.group === '' && k.version === 'v1' && k.kind === 'PersistentVolumeClaim') {
    return req.operation === 'DELETE'
      ? guardClaimDeletion(req, opts)
      : notValidated(req, `${req.operation} of a claim`);
  }
  if (!isValidatedKind(k.group, k.version, k.kind))
    return notValidated(req, `kind ${k.group || 'core'}/${k.version} ${k.kind}`);
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return notValidated(req, `operation ${req.operation}`);
  return judgeWorkload(req, opts);
}

function notValidated(req: AdmissionRequest, detail: string): Decision {
  return { response: allow(req.uid), verdict: 'allow', reason: 'not-validated', findings: [], suppressed: 0, detail };
}

function unreadable(req: AdmissionRequest, opts: AdmissionOptions, what: string, why: string): Decision {
  // Audit mode never blocks anything, whatever the failure flags say.
  const choice = opts.mode === 'audit' ? 'allow' : (opts.onError ?? 'allow');
  const reason = truncate(printable(why), 1000);
  const response =
    choice === 'deny'
      ? deny(
          req.uid,
          400,
          'BadRequest',
          `persistguard could not read ${what}: ${reason} (the webhook runs with --on-error=deny)`,
        )
      : allow(
          req.uid,
          boundedWarnings([
            `persistguard could not read ${what}, allowed without checks (${opts.mode === 'audit' ? 'audit mode' : '--on-error=allow'}): ${reason}`,
          ]),
        );
  return {
    response,
    verdict: choice === 'deny' ? 'deny' : 'warn',
    reason: 'unreadable',
    findings: [],
    suppressed: 0,
    detail: reason,
  };
}

/** Kinds of the controllers that own this object and that the webhook itself validates. */
function validatedOwners(meta: Record<string, unknown>): string[] {
  const refs = meta.ownerReferences;
  if (!Array.isArray(refs)) return [];
  const kinds: string[] = [];
  for (const r of refs)
    if (isRecord(r) && typeof r.kind === 'string' && VALIDATED_KINDS.has(r.kind)) kinds.push(r.kind);
  return kinds;
}

function judgeWorkload(req: AdmissionRequest, opts: AdmissionOptions): Decision {
  const { config, mode } = opts;
  const kind = req.kind.kind;
  const obj = req.object;
  if (!isRecord(obj)) return unreadable(req, opts, `the ${kind}`, 'request.object is missing or not an object');
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const where = `${kind} ${displayName(req, meta)}`;

  // A Pod (or ReplicaSet, Job) created by a controller the webhook validates was judged as that controller:
  // judging it again would only turn a clean `kubectl apply` into a controller that silently cannot create it.
  const owners = validatedOwners(meta);
  if (owners.length > 0 && !config.webhook.validateOwnedPods) {
    return {
      response: allow(req.uid),
      verdict: 'allow',
      reason: 'owned',
      findings: [],
      suppressed: 0,
      detail: `owned by ${owners.join(', ')}`,
    };
  }

  // The API server fills namespace and name after admission for some requests (namespace from the URL,
  // generateName): the engine needs them for claim lookups and exemptions.
  let target: Record<string, unknown> = obj;
  const namespace = req.namespace || (typeof meta.namespace === 'string' ? meta.namespace : undefined);
  const name =
    (typeof meta.name === 'string' && meta.name) ||
    req.name ||
    (typeof meta.generateName === 'string' ? `${meta.generateName}*` : undefined);
  if ((namespace && meta.namespace !== namespace) || (name && meta.name !== name)) {
    target = { ...obj, metadata: { ...meta, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) } };
  }

  const warnings: string[] = [];
  let view = opts.view;
  if (view && !view.ready()) {
    if (mode !== 'audit' && (opts.onCacheMiss ?? 'allow') === 'deny') {
      return {
        response: deny(
          req.uid,
          503,
          'ServiceUnavailable',
          `persistguard cannot judge ${where} yet: its cluster caches are still syncing and the webhook runs with --on-cache-miss=deny. Retry in a few seconds.`,
        ),
        verdict: 'deny',
        reason: 'cache-miss',
        findings: [],
        suppressed: 0,
      };
    }
    warnings.push(
      `persistguard: cluster caches are still syncing; checked without cluster lookups (${mode === 'audit' ? 'audit mode' : '--on-cache-miss=allow'})`,
    );
    view = undefined;
  }

  let findings: PendingFinding[];
  try {
    const project = loadObject(
      target,
      { file: `admission:${kind}/${namespace ?? ''}/${name ?? ''}`, index: 0 },
      { fromJson: true },
    );
    if (project.workloads.length === 0) {
      const why = project.errors.map((e) => e.message).join('; ') || 'no workload could be read from it';
      return unreadable(req, opts, where, why);
    }
    // Read in part (a malformed field): judged on what could be read, and the user is told what was not.
    for (const e of project.errors.slice(0, 3))
      warnings.push(`persistguard: part of ${where} could not be read: ${e.message}`);
    // On UPDATE, oldObject is the base of the change (data-not-carried-over); an unreadable one only
    // means there is nothing to compare with.
    const old = req.operation === 'UPDATE' && isRecord(req.oldObject) ? req.oldObject : undefined;
    const oldMeta = old && isRecord(old.metadata) ? old.metadata : {};
    const base = old
      ? loadObject(
          { ...old, metadata: { namespace, name, ...oldMeta } },
          { file: `admission:${kind}/${namespace ?? ''}/${name ?? ''}`, index: 0 },
          { fromJson: true },
        )
      : undefined;
    const ev = evaluate(project, { config, view, now: opts.now, ...(base ? { base } : {}) });
    // A workload whose facts could not be read was not judged: answer as for any unreadable object.
    if (ev.failures.length > 0) return unreadable(req, opts, where, ev.failures.map((f) => f.message).join('; '));
    findings = ev.findings;
  } catch (err) {
    return unreadable(req, opts, where, err instanceof Error ? err.message : String(err));
  }

  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.length - active.length;
  const errors = active.filter((f) => f.severity === 'error');
  const counted = active.map((f) => ({ ruleId: f.ruleId, severity: f.severity }));

  if (mode === 'enforce' && errors.length > 0) {
    const header = `persistguard denied ${where}: ${errors.length} data-loss finding${errors.length === 1 ? '' : 's'}:`;
    const footer =
      `Details: persistguard explain <rule>. Exempt a finding deliberately with the annotations persistguard.io/ignore: <rule> and persistguard.io/ignore-reason: <why>` +
      (config.allowAnnotationExemptions
        ? '.'
        : " (annotation exemptions are disabled by this cluster's config; ask its operator).");
    const response = deny(req.uid, 403, 'Forbidden', denialMessage(header, errors, footer));
    const rest = active.filter((f) => f.severity !== 'error').map((f) => `persistguard: ${findingLine(f, false)}`);
    const w = boundedWarnings([...warnings, ...rest]);
    if (w.length > 0) response.warnings = w;
    return { response, verdict: 'deny', reason: 'evaluated', findings: counted, suppressed };
  }

  const prefix = mode === 'audit' && errors.length > 0 ? 'persistguard (audit, would deny)' : 'persistguard';
  // Errors first: when the list is cut, what would have been denied is what stays visible.
  const ordered = [...errors, ...active.filter((f) => f.severity !== 'error')];
  const lines = [
    ...warnings,
    ...ordered.map((f) => `${f.severity === 'error' ? prefix : 'persistguard'}: ${findingLine(f, false)}`),
  ];
  const w = boundedWarnings(lines);
  return {
    response: allow(req.uid, w),
    verdict: w.length > 0 ? 'warn' : 'allow',
    reason: 'evaluated',
    findings: counted,
    suppressed,
  };
}

function globMatch(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return pattern === value || picomatch.isMatch(value, pattern, { dot: true });
}

/** Whether config `webhook.protectedClaims` covers this claim: every given field must match. */
export function protectedByConfig(
  config: ResolvedConfig,
  namespace: string,
  name: string,
  labels: Record<string, string>,
): boolean {
  for (const entry of config.webhook.protectedClaims ?? []) {
    if (!globMatch(entry.namespace, namespace) || !globMatch(entry.name, name)) continue;
    const selector = entry.labelSelector ?? {};
    if (Object.entries(selector).every(([k, v]) => labels[k] === v)) return true;
  }
  return false;
}

function guardClaimDeletion(req: AdmissionRequest, opts: AdmissionOptions): Decision {
  const old = req.oldObject;
  // Without oldObject (API servers older than 1.15) the claim's labels are unknown: never block on a guess.
  if (!isRecord(old)) return notValidated(req, 'claim DELETE without oldObject');
  const meta = isRecord(old.metadata) ? old.metadata : {};
  const name = (typeof meta.name === 'string' && meta.name) || req.name || '';
  const namespace = req.namespace || (typeof meta.namespace === 'string' ? meta.namespace : '') || 'default';
  const labels = stringMap(meta.labels);
  const annotations = stringMap(meta.annotations);
  const byLabel = labels[ANNOTATION_PROTECTED] === 'true';
  if (!byLabel && !protectedByConfig(opts.config, namespace, name, labels))
    return notValidated(req, 'claim not protected');

  const confirmed = annotations[ANNOTATION_CONFIRM_DELETE];
  if (confirmed === name) {
    return {
      response: allow(req.uid),
      verdict: 'allow',
      reason: 'pvc-guard',
      findings: [],
      suppressed: 0,
      detail: 'deletion confirmed by annotation',
    };
  }
  const why = byLabel
    ? `it is labelled ${ANNOTATION_PROTECTED}=true`
    : 'it is protected by the persistguard webhook config (webhook.protectedClaims)';
  const mismatch =
    confirmed === undefined
      ? ''
      : ` (its ${ANNOTATION_CONFIRM_DELETE} annotation says "${truncate(printable(confirmed), 80)}", not its own name)`;
  const message =
    `persistguard refused to delete PersistentVolumeClaim ${namespace}/${name}: ${why}, and deleting it may delete its data for good${mismatch}. ` +
    `If the data really can go, confirm and delete again:\n` +
    `  kubectl annotate pvc ${name} -n ${namespace} ${ANNOTATION_CONFIRM_DELETE}=${name} --overwrite\n` +
    `  kubectl delete pvc ${name} -n ${namespace}`;
  // In audit mode the guard only warns: audit never blocks anything.
  if (opts.mode === 'audit') {
    return {
      response: allow(
        req.uid,
        boundedWarnings([
          `persistguard (audit, would deny): deleting protected claim ${namespace}/${name} without ${ANNOTATION_CONFIRM_DELETE}=${name}`,
        ]),
      ),
      verdict: 'warn',
      reason: 'pvc-guard',
      findings: [],
      suppressed: 0,
    };
  }
  return {
    response: deny(req.uid, 403, 'Forbidden', message),
    verdict: 'deny',
    reason: 'pvc-guard',
    findings: [],
    suppressed: 0,
  };
}
