import type { Anchor, ResourceRef } from './model.js';
import type { FailOn } from './options.js';

export type { FailOn } from './options.js';

export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';

export interface Suppression {
  /** `annotation`: on the resource; `comment`: a `# persistguard:ignore` comment in the file; `config`. */
  kind: 'annotation' | 'comment' | 'config';
  reason: string;
  expires?: string;
}

/** What a rule reports; the engine adds severity, remediation, suppression and location. */
export interface RuleReport {
  /** Key into the rule's `meta.messages`; `data` fills its `{{placeholders}}`. */
  messageId: string;
  data?: Record<string, string | number>;
  at: Anchor;
  container?: string;
  /** The data path (or SQLite file, claim, image) the finding is about. */
  path?: string;
  /** Overrides the rule's default severity for this one finding (e.g. hostPath → warning). */
  severity?: Severity;
  /** Overrides the rule's generic remediation with a specific one (e.g. the exact import command). */
  remediation?: string;
}

export interface Finding {
  ruleId: string;
  /** Key of the rule's `meta.messages` that produced `message` (stable across wording changes). Absent only in
   *  findings read back from reports written before it existed (baselines). */
  messageId?: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Dotted path of the offending node inside its document, when known. */
  jsonPath?: string;
  resource: ResourceRef;
  container?: string;
  path?: string;
  remediation: string;
  suppressed: boolean;
  suppression?: Suppression;
  /** Set when a baseline report was applied (Action `baseline` input): existing findings never fail. */
  baseline?: 'new' | 'existing';
  /**
   * For findings in rendered output: which render produced it (`helm chart deploy/db (default values)`,
   * `kustomize overlay deploy/overlays/prod`); several, separated by `; `, when the same place fails in each.
   */
  renderedBy?: string;
}

/** A finding before its anchor is resolved to a position (see `locate/locate.ts`). */
export interface PendingFinding extends Omit<
  Finding,
  'file' | 'line' | 'column' | 'endLine' | 'endColumn' | 'jsonPath'
> {
  at: Anchor;
}

export interface ReportError {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface ReportSummary {
  files: number;
  resources: number;
  errors: number;
  warnings: number;
  suppressed: number;
}

/** A resource that was evaluated (for pass results in PolicyReports and JUnit test cases). */
export interface EvaluatedResource {
  resource: ResourceRef;
  file: string;
  line: number;
  column: number;
}

/** The JSON report contract (`--format json`); other formats are rendered from it. */
export interface ScanReport {
  tool: { name: 'persistguard'; version: string };
  findings: Finding[];
  errors: ReportError[];
  notes?: { file: string; message: string }[];
  summary: ReportSummary;
  /** Every workload/claim evaluated, for reporters that list passes. Not part of the minimal contract. */
  resources?: EvaluatedResource[];
}

/** True when a finding reaches the `--fail-on` threshold (suppressed findings never do). */
export function reachesThreshold(f: Finding, failOn: FailOn): boolean {
  if (f.suppressed || f.baseline === 'existing' || failOn === 'never') return false;
  return failOn === 'warning' ? true : f.severity === 'error';
}
