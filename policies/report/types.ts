import type { ScanReport } from '../model/findings.js';
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
}

export interface Reporter {
  /** `--format` value. */
  format: string;
  /** Default file name in an Action `report-dir`. */
  fileName: string;
  render(report: ScanReport, opts: ReporterOptions): string;
}
