import type { ClusterView } from '../model/cluster-view.js';
import type { ResolvedConfig } from '../config/types.js';
import type { RuleReport, Severity } from '../model/findings.js';
import type { ContainerModel, Project, WorkloadModel } from '../model/model.js';
import type { DataPath } from '../facts/data-paths.js';
import type { BaseComparison } from '../compare/base.js';

/** Declarative description of a rule, kept apart from its check (as ESLint's `meta`). */
export interface RuleMeta {
  /** Fixed public id, e.g. `data-path-pvc`. */
  id: string;
  defaultSeverity: Severity;
  /** One line, shown by `persistguard rules` and in the config schema. */
  description: string;
  /** Markdown for the rule tables of README.md and docs/rules/README.md (generated: `npm run gen`). */
  catches: string;
  /** The "default" cell of those tables when the bare default severity would mislead (`error / warning`). */
  severityNote?: string;
  /** Why it matters, shown by `persistguard explain` and in SARIF fullDescription. */
  rationale: string;
  /** Generic fix, shown under each finding unless the report gives a specific one. */
  remediation: string;
  /** Messages by id, with `{{placeholders}}`. */
  messages: Record<string, string>;
  /** Short bad/good snippets for `persistguard explain` (full examples live in the docs page). */
  examples: { bad: string; good: string };
  /** Path of the doc page relative to the repository root (`docs/rules/<id>.md`). */
  docs: string;
  /**
   * JSON Schema of the rule's `options` (`rules.<id>: {severity, options}` in `.persistguard.yaml`), as ESLint's
   * `meta.schema`. Without it the rule takes no options and the config schema rejects any. `npm run gen` copies it
   * into the shipped schema, so options are validated (with file, line and path) like every other setting.
   */
  schema?: Record<string, unknown>;
  /** True when the rule needs lookups that only a live cluster answers fully (webhook). */
  usesClusterView?: boolean;
}

/** A container with the data paths declared for it (annotation, config, catalog, env, SQLite). */
export interface ContainerWithData {
  container: ContainerModel;
  dataPaths: DataPath[];
  /** Compose: the image's `VOLUME` directories (from the catalog), where Docker adds anonymous volumes. */
  imageVolumes?: readonly string[];
}

/** What a rule's check sees. Rules are pure: they read this and report; they never do I/O. */
export interface RuleContext {
  readonly config: ResolvedConfig;
  readonly view: ClusterView;
  /** Facts found across the whole scan (builds, imports, k3s signals, literals). */
  readonly project: Project;
  /** Whether the scan targets k3s (config `target`, or signals found in the repo). */
  readonly targetsK3s: boolean;
  /** The base of the change being judged (`scan --base`, the webhook's oldObject); undefined otherwise. */
  readonly base?: BaseComparison;
  /** The running rule's validated `options` from the config (`{}` when none are given). */
  readonly options: Readonly<Record<string, unknown>>;
  report(r: RuleReport): void;
}

export interface WorkloadRuleContext extends RuleContext {
  readonly workload: WorkloadModel;
  /** Containers of the workload with their resolved data paths (computed once per workload). */
  readonly containers: readonly ContainerWithData[];
  /** Effective replicas: declared replicas raised to an autoscaler's minReplicas. undefined for per-node. */
  readonly replicas: number | undefined;
}

export interface Rule {
  meta: RuleMeta;
  /** Called once per workload. */
  checkWorkload?(ctx: WorkloadRuleContext): void;
  /** Called once per scan, for facts that belong to no workload (SQLite literals in source files). */
  checkProject?(ctx: RuleContext): void;
}
