import type { FailOn, ScanReport } from '../model/findings.js';
import type { RuleMeta } from '../rules/rule.js';
import type { PolicyReportApi } from '../model/options.js';

export interface ReporterOptions {
  /** Metadata of every rule (SARIF driver rules, doc links in summaries). */
  rules: readonly RuleMeta[];
  /** ANSI colours (text format on a TTY). */
  color?: boolean;
  /** PolicyReport flavour: `wgpolicyk8s.io/v1alpha2` (default) or `openreports.io/v1alpha1`. */
  policyReportApi?: PolicyReportApi;
  /** Markdown: byte budget (GitHub's job summary limit is 1 MiB). */
  maxBytes?: number;
  /** SARIF: repository-relative paths need the checkout root to resolve `file`. */
  baseUri?: string;
  /**
   * SARIF: the folder `uri`s are made relative to (%SRCROOT%: the repository or scan root), with `cwd` the
   * folder that relative `file`s are relative to. A file outside it gets an absolute `file:` URI, no base.
   */
  srcRoot?: string;
  cwd?: string;
  /** Text: wrap lines at this many columns. */
  width?: number;
  /** JUnit: a warning is a failure only when it fails the run (`--fail-on warning`). */
  failOn?: FailOn;
  /** Text: findings and errors only, no summary line or hints. */
  quiet?: boolean;
}

export interface Reporter {
  /** `--format` value. */
  format: string;
  /** Default file name in an Action `report-dir`. */
  fileName: string;
  render(report: ScanReport, opts: ReporterOptions): string;
  /** The same text in pieces (joined, exactly `render`'s), for writing a large report without one big string. */
  chunks?(report: ScanReport, opts: ReporterOptions): Iterable<string>;
}
