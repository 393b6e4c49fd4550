// OWNER: rules helper. Stub until implemented.
import type { ClusterView } from './cluster-view.js';
import type { ResolvedConfig } from './config/types.js';
import type { PendingFinding } from './findings.js';
import type { Anchor, Project, ResourceRef } from './model.js';
import type { Rule } from './rule.js';

export interface EvaluateOptions {
  config: ResolvedConfig;
  /** Lookups; defaults to a view built from the project itself (`fileClusterView`). */
  view?: ClusterView;
  /** Defaults to every built-in rule. */
  rules?: Rule[];
  /** For exemption expiry; defaults to the current date. */
  now?: Date;
}

export interface Evaluation {
  findings: PendingFinding[];
  /** Every workload and claim evaluated (passes included). */
  resources: { resource: ResourceRef; at: Anchor }[];
  /** Problems found while evaluating (an expired exemption, an exemption without a reason). */
  notes: { file: string; message: string }[];
}

/** Runs the enabled rules over a project, applying severities and exemptions. Pure. */
export function evaluate(_project: Project, _opts: EvaluateOptions): Evaluation {
  throw new Error('evaluate: not implemented yet');
}
