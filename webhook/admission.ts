/**
 * The webhook's verdict on one AdmissionReview request. Pure: no I/O, no clock (injected), no globals.
 * The same loader and engine as `persistguard scan`, so a manifest that passes in CI passes admission.
 */
import {
  DATA_PATHS_ANNOTATION,
  evaluate,
  isObj,
  loadObject,
  matchesGlob,
  trustedController,
} from '../policies/index.js';
import type {
  ClusterView,
  FailChoice,
  PendingFinding,
  Project,
  ResolvedConfig,
  WebhookMode,
} from '../policies/index.js';
import type { AdmissionRequest, AdmissionResponse } from './review.js';
import { splitExisting, type ExistingViolations } from './existing-violations.js';
import { scaleTarget, sharedClaimsOnScale } from './scale.js';
import { guardsClaim, readProtection } from './claim-protection.js';
import { overWorkBudget } from './work-budget.js';
import { boundedWarnings, denialMessage, findingLine, printable, truncate } from './messages.js';

export type { FailChoice, WebhookMode } from '../policies/index.js';

export interface AdmissionOptions {
  config: ResolvedConfig;
  mode: WebhookMode;
  /** The live cluster view; undefined runs without a cluster (`--no-cluster`): lookups come from the object alone. */
  view?: ClusterView;
  /** What to answer while the live view is not ready (default allow, evaluated without cluster lookups). Audit mode always allows. */
  onCacheMiss?: FailChoice;
  /** What to answer for an object the core cannot read (default allow). Audit mode always allows. */
  onError?: FailChoice;
  /** UPDATE: allow (default) when the old object already had every violation, with warnings; deny: always judge alone. */
  existingViolations?: ExistingViolations;
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
  | 'unreadable'
  | 'over-budget'; // too large to judge within the webhook's work budget (webhook/work-budget.ts)

export interface Decision {
  response: AdmissionResponse;
  verdict: Verdict;
  reason: DecisionReason;
  /** Unsuppressed findings that counted (rule id and severity), for metrics and logs. */
  findings: { ruleId: string; severity: string }[];
  suppressed: number;
  /** Extra context for the log line (why unreadable, why not validated). Never object contents. */
  detail?: string;
  /** Set when persistguard itself failed (a bug, not the object): the server logs it with the stack. */
  internalError?: { message: string; stack?: string };
}

export const ANNOTATION_PROTECTED = 'persistguard.io/protected';
export const ANNOTATION_CONFIRM_DELETE = 'persistguard.io/confirm-delete';

/** `group/version` → kinds the webhook judges on CREATE and UPDATE. */
const VALIDATED: Record<string, ReadonlySet<string>> = {
  '/v1': new Set(['Pod']),
  'apps/v1': new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']),
  'batch/v1': new Set(['Job', 'CronJob']),
};

export function isValidatedKind(group: string, version: string, kind: string): boolean {
  return VALIDATED[`${group}/${version}`]?.has(kind) ?? false;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
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

/**
 * The answer to one admission request. Total: it never throws. Whatever fails while judging — an object the
 * core cannot read, or a bug in persistguard itself — is answered by the `--on-error` choice, and audit mode
 * always allows; the server has no fallback of its own to drift from this one.
 */
export function admit(req: AdmissionRequest, opts: AdmissionOptions): Decision {
  try {
    return decide(req, opts);
  } catch (err) {
    return internalError(req, opts, err);
  }
}

function decide(req: AdmissionRequest, opts: AdmissionOptions): Decision {
  const k = req.kind;
  if (req.subResource === 'scale' && scaleTarget(req)) return judgeScale(req, opts);
  if (req.subResource) return notValidated(req, `subresource ${req.subResource}`);
  if (k.group === '' && k.version === 'v1' && k.kind === 'PersistentVolumeClaim') {
    if (req.operation === 'DELETE') return guardClaimDeletion(req, opts);
    if (req.operation === 'CREATE' || req.operation === 'UPDATE') return guardClaimChange(req, opts);
    return notValidated(req, `${req.operation} of a claim`);
  }
  if (!isValidatedKind(k.group, k.version, k.kind))
    return notValidated(req, `kind ${k.group || 'core'}/${k.version} ${k.kind}`);
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return notValidated(req, `operation ${req.operation}`);
  return judgeWorkload(req, opts);
}

function notValidated(req: AdmissionRequest, detail: string): Decision {
  return { response: allow(req.uid), verdict: 'allow', reason: 'not-validated', findings: [], suppressed: 0, detail };
}

/** The `--on-error` answer; audit mode never blocks anything, whatever the failure flags say. */
function onErrorChoice(opts: AdmissionOptions): FailChoice {
  return opts.mode === 'audit' ? 'allow' : (opts.onError ?? 'allow');
}

function onErrorLabel(opts: AdmissionOptions): string {
  return opts.mode === 'audit' ? 'audit mode' : '--on-error=allow';
}

function unreadable(req: AdmissionRequest, opts: AdmissionOptions, what: string, why: string): Decision {
  const choice = onErrorChoice(opts);
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
            `persistguard could not read ${what}, allowed without checks (${onErrorLabel(opts)}): ${reason}`,
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

/**
 * An object too large to judge without stalling every other review: refused in enforce mode (allowing it unjudged
 * would be a way around the policy), allowed with a warning in audit mode.
 */
function overBudget(req: AdmissionRequest, opts: AdmissionOptions, what: string, why: string): Decision {
  const text = `persistguard cannot judge ${what} within its work budget: ${why}. No workload needs that much inline configuration: move it into a ConfigMap or a file in the image.`;
  const audit = opts.mode === 'audit';
  return {
    response: audit ? allow(req.uid, boundedWarnings([text])) : deny(req.uid, 403, 'Forbidden', text),
    verdict: audit ? 'warn' : 'deny',
    reason: 'over-budget',
    findings: [],
    suppressed: 0,
    detail: why,
  };
}

/** The message of anything thrown, without letting a hostile `toString` throw again. */
function thrownMessage(err: unknown): { message: string; stack?: string } {
  try {
    return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
  } catch {
    return { message: 'unprintable error' };
  }
}

/**
 * A bug in persistguard (the engine, a rule, the cluster view) rather than in the object: answered like an
 * unreadable object, by `--on-error` and never blocking in audit mode, but as a 500 so nobody blames the
 * manifest.
 */
function internalError(req: AdmissionRequest, opts: AdmissionOptions, err: unknown): Decision {
  const thrown = thrownMessage(err);
  const choice = onErrorChoice(opts);
  const reason = truncate(printable(thrown.message), 300);
  const message = `persistguard internal error: ${reason}`;
  const response =
    choice === 'deny'
      ? deny(req.uid, 500, 'InternalError', `${message} (the webhook runs with --on-error=deny)`)
      : allow(req.uid, boundedWarnings([`${message} (allowed without checks: ${onErrorLabel(opts)})`]));
  return {
    response,
    verdict: choice === 'deny' ? 'deny' : 'warn',
    reason: 'unreadable',
    findings: [],
    suppressed: 0,
    detail: reason,
    internalError: thrown,
  };
}

function judgeWorkload(req: AdmissionRequest, opts: AdmissionOptions): Decision {
  const { config, mode } = opts;
  const kind = req.kind.kind;
  const obj = req.object;
  if (!isObj(obj)) return unreadable(req, opts, `the ${kind}`, 'request.object is missing or not an object');
  const meta = isObj(obj.metadata) ? obj.metadata : {};
  const where = `${kind} ${displayName(req, meta)}`;

  // A Pod (or ReplicaSet, Job) created by a controller the webhook validates was judged as that controller:
  // judging it again would only turn a clean `kubectl apply` into a controller that silently cannot create it.
  const owner = trustedController(kind, meta);
  if (owner !== undefined && !config.webhook.validateOwnedPods) {
    return {
      response: allow(req.uid),
      verdict: 'allow',
      reason: 'owned',
      findings: [],
      suppressed: 0,
      detail: `owned by ${owner}`,
    };
  }

  const tooLarge = req.budget ? req.budget.object : overWorkBudget(obj, DATA_PATHS_ANNOTATION);
  if (tooLarge !== undefined) return overBudget(req, opts, where, tooLarge);

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

  const file = `admission:${kind}/${namespace ?? ''}/${name ?? ''}`;
  let findings: PendingFinding[];
  try {
    // On UPDATE, oldObject is the base of the change (data-not-carried-over); an unreadable one, or one over
    // the work budget (stored while the webhook was in audit mode), only means there is nothing to compare with.
    const old = comparableOld(req);
    const oldMeta = old && isObj(old.metadata) ? old.metadata : {};
    const base = old
      ? loadObject({ ...old, metadata: { namespace, name, ...oldMeta } }, { file, index: 0 }, { fromJson: true })
      : undefined;
    const judged = findingsOf(target, file, { config, view, now: opts.now, ...(base ? { base } : {}) });
    if ('unreadable' in judged) return unreadable(req, opts, where, judged.unreadable);
    // Read in part (a malformed field): judged on what could be read, and the user is told what was not.
    for (const e of judged.errors.slice(0, 3)) warnings.push(`persistguard: part of ${where} could not be read: ${e}`);
    findings = judged.findings;
  } catch (err) {
    // The loader reports what it cannot read as errors: a throw here is persistguard's own bug, not the object's.
    return internalError(req, opts, err);
  }

  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.length - active.length;
  let errors = active.filter((f) => f.severity === 'error');
  const counted = active.map((f) => ({ ruleId: f.ruleId, severity: f.severity }));
  let detail: string | undefined;
  if (mode === 'enforce' && errors.length > 0) {
    const existing = existingViolations(req, opts, errors, { view, file });
    if (existing.length > 0) {
      errors = errors.filter((f) => !existing.includes(f));
      for (const f of existing)
        warnings.push(`persistguard (existing violation, allowed on UPDATE): ${findingLine(f, false)}`);
      detail = `existing violations allowed: ${[...new Set(existing.map((f) => f.ruleId))].sort().join(', ')}`;
    }
  }

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
    return { response, verdict: 'deny', reason: 'evaluated', findings: counted, suppressed, detail };
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
    ...(detail ? { detail } : {}),
  };
}

type Judged = { findings: PendingFinding[]; errors: string[] } | { unreadable: string };

/** Loads one object exactly as `persistguard scan` would and evaluates it. */
function findingsOf(
  target: Record<string, unknown>,
  file: string,
  evalOpts: { config: ResolvedConfig; view?: ClusterView; now?: Date; base?: Project },
): Judged {
  const project = loadObject(target, { file, index: 0 }, { fromJson: true });
  if (project.workloads.length === 0)
    return { unreadable: project.errors.map((e) => e.message).join('; ') || 'no workload could be read from it' };
  const ev = evaluate(project, evalOpts);
  // A workload whose facts could not be read was not judged: answered as for any unreadable object.
  if (ev.failures.length > 0) return { unreadable: ev.failures.map((f) => f.message).join('; ') };
  return { findings: ev.findings, errors: project.errors.map((e) => e.message) };
}

/** The UPDATE's oldObject when it can be judged within the work budget. */
function comparableOld(req: AdmissionRequest): Record<string, unknown> | undefined {
  if (req.operation !== 'UPDATE' || !isObj(req.oldObject)) return undefined;
  const over = req.budget ? req.budget.oldObject : overWorkBudget(req.oldObject, DATA_PATHS_ANNOTATION);
  return over === undefined ? req.oldObject : undefined;
}

/**
 * The error findings of an UPDATE that the old object had already (see existing-violations.ts); none when
 * the option is off, on CREATE, or when the old object cannot be judged (then the new one is judged alone).
 */
function existingViolations(
  req: AdmissionRequest,
  opts: AdmissionOptions,
  errors: PendingFinding[],
  ctx: { view?: ClusterView; file: string },
): PendingFinding[] {
  if ((opts.existingViolations ?? 'allow') !== 'allow') return [];
  const old = comparableOld(req);
  if (old === undefined) return [];
  let judged: Judged;
  try {
    judged = findingsOf(old, ctx.file, { config: opts.config, view: ctx.view, now: opts.now });
  } catch {
    return [];
  }
  if ('unreadable' in judged) return [];
  const oldErrors = judged.findings.filter((f) => !f.suppressed && f.severity === 'error');
  return splitExisting(errors, oldErrors).existing;
}

function globMatch(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return pattern === value || matchesGlob(pattern, value);
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
  if (!isObj(old)) return notValidated(req, 'claim DELETE without oldObject');
  const meta = isObj(old.metadata) ? old.metadata : {};
  const name = (typeof meta.name === 'string' && meta.name) || req.name || '';
  const namespace = req.namespace || (typeof meta.namespace === 'string' ? meta.namespace : '') || 'default';
  const labels = stringMap(meta.labels);
  const annotations = stringMap(meta.annotations);
  const labelValue = labels[ANNOTATION_PROTECTED];
  const byLabel = guardsClaim(labelValue);
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
    ? `it is labelled ${ANNOTATION_PROTECTED}=${truncate(printable(labelValue ?? ''), 40)}`
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

/** Metadata of a claim, as the guard reads it. */
function claimMeta(req: AdmissionRequest, obj: unknown) {
  const meta = isObj(obj) && isObj(obj.metadata) ? obj.metadata : {};
  const name = (typeof meta.name === 'string' && meta.name) || req.name || '';
  const namespace = req.namespace || (typeof meta.namespace === 'string' ? meta.namespace : '') || 'default';
  return { name, namespace, labels: stringMap(meta.labels), annotations: stringMap(meta.annotations) };
}

/**
 * CREATE and UPDATE of a claim: an unrecognised protection label value is told (it guards, but surely not as
 * meant), and an UPDATE that drops the label's protection needs the same confirmation as deleting the claim —
 * otherwise `kubectl label pvc x persistguard.io/protected-` followed by a delete walks around the guard.
 */
function guardClaimChange(req: AdmissionRequest, opts: AdmissionOptions): Decision {
  const now = claimMeta(req, req.object);
  const value = now.labels[ANNOTATION_PROTECTED];
  const warnings: string[] = [];
  if (readProtection(value) === 'unrecognised') {
    warnings.push(
      `persistguard: label ${ANNOTATION_PROTECTED}="${truncate(printable(value ?? ''), 40)}" on claim ${now.namespace}/${now.name} is not a boolean; the claim is guarded as if it were "true" — write "true" or "false"`,
    );
  }
  const before = req.operation === 'UPDATE' && isObj(req.oldObject) ? claimMeta(req, req.oldObject) : undefined;
  const dropped =
    before !== undefined &&
    guardsClaim(before.labels[ANNOTATION_PROTECTED]) &&
    !guardsClaim(value) &&
    !protectedByConfig(opts.config, now.namespace, now.name, now.labels);
  if (!dropped || now.annotations[ANNOTATION_CONFIRM_DELETE] === now.name) {
    const w = boundedWarnings(warnings);
    return {
      response: allow(req.uid, w),
      verdict: w.length > 0 ? 'warn' : 'allow',
      reason: dropped ? 'pvc-guard' : 'not-validated',
      findings: [],
      suppressed: 0,
      detail: dropped ? 'protection removal confirmed by annotation' : 'claim protection unchanged',
    };
  }
  const { name, namespace } = now;
  if (opts.mode === 'audit') {
    return {
      response: allow(
        req.uid,
        boundedWarnings([
          `persistguard (audit, would deny): removing ${ANNOTATION_PROTECTED} from claim ${namespace}/${name} without ${ANNOTATION_CONFIRM_DELETE}=${name}`,
        ]),
      ),
      verdict: 'warn',
      reason: 'pvc-guard',
      findings: [],
      suppressed: 0,
    };
  }
  const message =
    `persistguard refused to remove the protection of PersistentVolumeClaim ${namespace}/${name}: it is labelled ${ANNOTATION_PROTECTED}, and without the label it could be deleted with its data. ` +
    `If the protection really can go, confirm in the same change:\n` +
    `  kubectl annotate pvc ${name} -n ${namespace} ${ANNOTATION_CONFIRM_DELETE}=${name} --overwrite\n` +
    `  kubectl label pvc ${name} -n ${namespace} ${ANNOTATION_PROTECTED}-`;
  return {
    response: deny(req.uid, 403, 'Forbidden', message),
    verdict: 'deny',
    reason: 'pvc-guard',
    findings: [],
    suppressed: 0,
  };
}

/**
 * UPDATE of `deployments/scale`, `statefulsets/scale`, `replicasets/scale`: rwo-shared-claim on the new replica
 * count, from the claims the workload's running pods mount. Without a view that can tell, allowed (the
 * workload itself was judged when it was written).
 */
function judgeScale(req: AdmissionRequest, opts: AdmissionOptions): Decision {
  const t = scaleTarget(req);
  const setting = opts.config.rules['rwo-shared-claim']?.severity;
  if (!t || t.replicas <= 1 || setting === 'off') return notValidated(req, 'scale to at most one replica');
  const shared = sharedClaimsOnScale(opts.view, t);
  if (!shared || shared.length === 0) {
    return notValidated(req, shared ? 'scale: no shared ReadWriteOnce claim' : 'scale: claims unknown to the view');
  }
  const where = `${t.kind} ${t.namespace}/${t.name}`;
  const lines = shared.map(
    (c) =>
      `[rwo-shared-claim] PVC "${c.claim}" is ${c.modes}, but ${where} would run ${t.replicas} replicas that all mount it: pods on other nodes cannot attach it, pods on the same node share one data directory.`,
  );
  const findings = shared.map(() => ({ ruleId: 'rwo-shared-claim', severity: setting ?? 'error' }));
  const existing = (opts.existingViolations ?? 'allow') === 'allow' && t.oldReplicas !== undefined && t.oldReplicas > 1;
  if (opts.mode === 'enforce' && setting !== 'warning' && !existing) {
    const message =
      `persistguard denied scaling ${where} to ${t.replicas} replicas:\n` +
      lines.map((l) => `- ${l}`).join('\n') +
      `\nFix: keep one replica, or use a StatefulSet with volumeClaimTemplates, or a ReadWriteMany claim with an application that supports concurrent writers.`;
    return {
      response: deny(req.uid, 403, 'Forbidden', truncate(message, 4000)),
      verdict: 'deny',
      reason: 'evaluated',
      findings,
      suppressed: 0,
    };
  }
  const prefix =
    opts.mode === 'audit'
      ? 'persistguard (audit, would deny)'
      : existing
        ? 'persistguard (existing violation, allowed on UPDATE)'
        : 'persistguard';
  return {
    response: allow(req.uid, boundedWarnings(lines.map((l) => `${prefix}: ${l}`))),
    verdict: 'warn',
    reason: 'evaluated',
    findings,
    suppressed: 0,
  };
}
