/**
 * Runs the rules over a project: resolves each workload's data paths and effective replicas once, calls
 * every enabled rule, renders messages, applies configured severities and exemptions. Pure: the clock is
 * injected (`now`), the view is passed in or built from the project itself.
 */
import type { ClusterView } from '../model/cluster-view.js';
import type { ResolvedConfig } from '../config/types.js';
import type { PendingFinding, RuleReport, Severity, SeveritySetting } from '../model/findings.js';
import type { Anchor, ConfigMapModel, Project, ResourceRef, WorkloadModel } from '../model/model.js';
import type { Target } from '../model/options.js';
import { anchorFile } from '../model/model.js';
import { DeployUnits } from '../model/deploy-unit.js';
import type { Rule, RuleContext, WorkloadRuleContext } from '../rules/rule.js';
import { allRules } from '../rules/index.js';
import { resolveContainers } from '../facts/data-paths-resolve.js';
import { effectiveReplicas, fileClusterView, indexAutoscalers } from './file-view.js';
import { ExemptionChecker } from './exemptions.js';
import { prepareBase } from '../compare/base.js';
import { dockerfileLookup } from '../facts/dockerfiles.js';
import { errorMessage } from '../model/errors.js';

export interface EvaluateOptions {
  config: ResolvedConfig;
  /** Lookups; defaults to a view built from the project itself (`fileClusterView`). */
  view?: ClusterView;
  /** Defaults to every built-in rule. */
  rules?: Rule[];
  /**
   * The cluster the images are judged for (`scan --target`, the Action's `target` input); defaults to the
   * config's `target`. An option rather than a config edit, so the config object stays what was loaded.
   */
  target?: Target;
  /** For exemption expiry; defaults to the current date. */
  now?: Date;
  /** The project before the change (`scan --base REF`, the webhook's oldObject): enables the compare rules. */
  base?: Project;
}

export interface Evaluation {
  findings: PendingFinding[];
  /** Every workload and claim evaluated (passes included). */
  resources: { resource: ResourceRef; at: Anchor }[];
  /** Problems found while evaluating (an expired exemption, an exemption without a reason). */
  notes: { file: string; message: string }[];
  /**
   * Workloads that could not be judged because reading their facts failed (also listed in `notes`). The
   * scan goes on without them; the webhook answers as for an unreadable object (its `--on-error`).
   */
  failures: { file: string; message: string; resource: ResourceRef }[];
}

/** Kinds that own Pods; such Pods are judged through their controller unless the config asks otherwise. */
const CONTROLLER_KINDS = new Set([
  'ReplicaSet',
  'ReplicationController',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
]);

/** The severity a rule runs at, or 'off'. `{severity}` in config (a bare string is resolved to it) overrides the default. */
export function configuredSeverity(config: ResolvedConfig, rule: Rule): SeveritySetting {
  return config.rules[rule.meta.id]?.severity ?? rule.meta.defaultSeverity;
}

function explicitlyConfigured(config: ResolvedConfig, rule: Rule): boolean {
  return config.rules[rule.meta.id]?.severity !== undefined;
}

const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The rule's `options` from the config, already validated against its `meta.schema` by the config schema. */
function optionsOf(config: ResolvedConfig, rule: Rule): Readonly<Record<string, unknown>> {
  return config.rules[rule.meta.id]?.options ?? NO_OPTIONS;
}

/** Fills `{{name}}` placeholders; an unknown placeholder is left visible rather than silently dropped. */
export function renderMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, key: string) =>
    key in data ? String(data[key]) : whole,
  );
}

/**
 * Import methods that load an image into a cluster's containerd without proving which distribution runs it:
 * a plain `ctr -n k8s.io images import` is any containerd node (kubeadm too), so the image-import checks apply
 * but k3s defaults (the `local-path` class) must not be assumed; `kind load` is kind, not k3s.
 */
const CONTAINERD_ONLY_IMPORTS = new Set(['ctr -n k8s.io']);
const NOT_K3S_IMPORTS = new Set(['kind load']);

/** Anchors that prove k3s (signals, k3s-specific imports), and anchors that only show a containerd import. */
function k3sEvidence(project: Project): { k3s: Anchor[]; containerd: Anchor[] } {
  const k3s = [...project.k3sSignals];
  const containerd: Anchor[] = [];
  for (const i of project.imports) {
    if (NOT_K3S_IMPORTS.has(i.method)) continue;
    (CONTAINERD_ONLY_IMPORTS.has(i.method) ? containerd : k3s).push(i.at);
  }
  return { k3s, containerd };
}

/** How a workload's deploy unit is targeted: k3s (its defaults apply), a containerd node (image imports matter), or neither. */
export interface K3sScope {
  /** The image-import checks apply (k3s, or a containerd import in the same deploy unit). */
  imports: boolean;
  /** k3s's defaults apply (the `local-path` StorageClass). */
  k3sDefaults: boolean;
}

/**
 * `target: auto` settles per deploy unit: a k3s script in one project of a monorepo says nothing about its
 * neighbours. A live cluster's flavor, or an explicit target, applies to everything.
 */
export function k3sScopes(
  config: ResolvedConfig,
  project: Project,
  view?: ClusterView,
  target: Target = config.target,
): (file: string) => K3sScope {
  const all = { imports: true, k3sDefaults: true };
  const none = { imports: false, k3sDefaults: false };
  if (target === 'k3s' || (target !== 'kubernetes' && view?.flavor?.() === 'k3s')) return () => all;
  if (target === 'kubernetes') return () => none;
  const evidence = k3sEvidence(project);
  if (evidence.k3s.length === 0 && evidence.containerd.length === 0) return () => none;
  const units = new DeployUnits(project.workloads.map((w) => w.file));
  const cache = new Map<string, K3sScope>();
  return (file) => {
    let scope = cache.get(file);
    if (!scope) {
      const k3s = evidence.k3s.some((a) => units.covers(anchorFile(a), file));
      const containerd = k3s || evidence.containerd.some((a) => units.covers(anchorFile(a), file));
      scope = { imports: containerd, k3sDefaults: k3s };
      cache.set(file, scope);
    }
    return scope;
  };
}

/** Whether k3s's defaults apply somewhere in the scan (project-wide checks). */
function k3sDefaultsAnywhere(
  config: ResolvedConfig,
  project: Project,
  view: ClusterView,
  target: Target = config.target,
): boolean {
  if (target === 'k3s') return true;
  if (target === 'kubernetes') return false;
  return view.flavor?.() === 'k3s' || k3sEvidence(project).k3s.length > 0;
}

/** `target: auto` means k3s when the scanned files show k3s steps, or when a live cluster's nodes run k3s. */
export function targetsK3s(
  config: ResolvedConfig,
  project: Project,
  view?: ClusterView,
  /** The evaluation's `target` option when given; the config's otherwise. */
  target: Target = config.target,
): boolean {
  if (target === 'k3s') return true;
  if (target === 'kubernetes') return false;
  const evidence = k3sEvidence(project);
  return evidence.k3s.length > 0 || evidence.containerd.length > 0 || view?.flavor?.() === 'k3s';
}

function lowerOf(a: Severity, b: Severity): Severity {
  return a === 'warning' || b === 'warning' ? 'warning' : 'error';
}

function configMapLookup(project: Project): (ns: string, name: string) => ConfigMapModel | undefined {
  const byKey = new Map<string, ConfigMapModel>();
  for (const cm of project.configMaps) byKey.set(`${cm.namespace ?? 'default'}/${cm.name}`, cm);
  return (ns, name) => byKey.get(`${ns}/${name}`);
}

/** Runs the enabled rules over a project, applying severities and exemptions. Pure. */
export function evaluate(project: Project, opts: EvaluateOptions): Evaluation {
  const config = opts.config;
  const view = opts.view ?? fileClusterView(project);
  const rules = (opts.rules ?? allRules).filter((r) => configuredSeverity(config, r) !== 'off');
  const exemptions = new ExemptionChecker(config, opts.now ?? new Date());
  const findings: PendingFinding[] = [];
  const resources: Evaluation['resources'] = [];
  const k3s = targetsK3s(config, project, view, opts.target);
  const k3sScope = k3sScopes(config, project, view, opts.target);
  const configMap = configMapLookup(project);
  const dockerfile = dockerfileLookup(project);
  const base = opts.base ? prepareBase(opts.base, project, config, view) : undefined;
  const ruleFailures: { file: string; message: string }[] = [];
  const failures: Evaluation['failures'] = [];
  // A bug in one rule must not take the scan (or the webhook) down: report it and go on.
  const guarded = (rule: Rule, file: string, what: ResourceRef | undefined, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      const subject = what ? `${what.kind} ${what.name}` : 'the project';
      ruleFailures.push({
        file,
        message: `internal error in rule ${rule.meta.id} while checking ${subject}: ${errorMessage(e)}`,
      });
    }
  };

  const emit = (rule: Rule, r: RuleReport, resource: ResourceRef, w?: WorkloadModel): void => {
    const template = rule.meta.messages[r.messageId];
    const configured = configuredSeverity(config, rule) as Severity;
    let severity: Severity = r.severity ?? configured;
    // An explicit config severity is a ceiling; a rule's per-finding severity may only lower it.
    if (explicitlyConfigured(config, rule)) severity = r.severity ? lowerOf(configured, r.severity) : configured;
    const suppression =
      exemptions.mayApply(w?.annotations, r.at) &&
      exemptions.check({
        ruleId: rule.meta.id,
        kind: resource.kind,
        namespace: resource.namespace,
        name: resource.name,
        file: anchorFile(r.at),
        container: r.container,
        path: r.path,
        annotations: w?.annotations,
        at: r.at,
      });
    const finding: PendingFinding = {
      ruleId: rule.meta.id,
      messageId: r.messageId,
      severity,
      message: template === undefined ? `${rule.meta.id}: ${r.messageId}` : renderMessage(template, r.data),
      resource,
      remediation: r.remediation ?? rule.meta.remediation,
      suppressed: !!suppression,
      at: r.at,
    };
    if (r.container !== undefined) finding.container = r.container;
    if (r.path !== undefined) finding.path = r.path;
    if (suppression) finding.suppression = suppression;
    findings.push(finding);
  };

  const autoscalers = indexAutoscalers(project.autoscalers);
  for (const w of project.workloads) {
    if (w.ownerKinds.some((k) => CONTROLLER_KINDS.has(k)) && !config.webhook.validateOwnedPods) continue;
    resources.push({ resource: w.resource, at: w.at });
    const scope = k3sScope(w.file);
    const shared = {
      config,
      view,
      project,
      targetsK3s: scope.imports,
      k3sDefaults: scope.k3sDefaults,
      ...(base ? { base } : {}),
    };
    // Every per-workload step runs inside the guard: one workload's failure costs that workload (with a
    // note naming it), never the report of the whole scan.
    let prepared: { containers: ReturnType<typeof resolveContainers>; replicas: number | undefined };
    try {
      prepared = {
        containers: resolveContainers(w, { config, configMap, dockerfile }),
        replicas: effectiveReplicas(w, autoscalers),
      };
    } catch (e) {
      const failure = {
        file: w.file,
        message: `internal error while reading the data paths of ${w.resource.kind} ${w.resource.name}: ${e instanceof Error ? e.message : String(e)}; it was not judged`,
      };
      ruleFailures.push(failure);
      failures.push({ ...failure, resource: w.resource });
      continue;
    }
    const ctxBase = { ...shared, workload: w, ...prepared };
    // One context per workload; `report` and `options` follow whichever rule is running (saves an object per
    // rule). A plain field, not a getter: an accessor in an object literal gives every context its own hidden
    // class, which the webhook paid for in garbage surviving into the old generation (4.5 KB per request).
    let current: Rule = rules[0] as Rule;
    const ctx: { -readonly [K in keyof WorkloadRuleContext]: WorkloadRuleContext[K] } = {
      ...ctxBase,
      report: (r) => emit(current, r, w.resource, w),
      options: NO_OPTIONS,
    };
    for (const rule of rules) {
      if (!rule.checkWorkload) continue;
      current = rule;
      ctx.options = optionsOf(config, rule);
      guarded(rule, w.file, w.resource, () => rule.checkWorkload?.(ctx));
    }
  }
  for (const c of project.claims)
    if (!c.fromTemplate)
      resources.push({
        resource: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: c.namespace, name: c.name },
        at: c.at,
      });

  for (const rule of rules) {
    if (!rule.checkProject) continue;
    const ctx: RuleContext = {
      config,
      view,
      project,
      targetsK3s: k3s,
      k3sDefaults: k3sDefaultsAnywhere(config, project, view, opts.target),
      ...(base ? { base } : {}),
      options: optionsOf(config, rule),
      report: (r) => emit(rule, r, { kind: 'File', name: anchorFile(r.at) }),
    };
    guarded(rule, '', undefined, () => rule.checkProject?.(ctx));
  }
  return { findings, resources, notes: [...exemptions.collectNotes(), ...ruleFailures], failures };
}
