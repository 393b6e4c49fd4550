/**
 * The one decision every adapter turns into an exit code or a step result: `persistguard scan`,
 * `persistguard audit` and the GitHub Action all call {@link scanVerdict}, so the same report and the same
 * `fail-on` can never pass in one place and fail in another.
 *
 * The meaning (docs: README "Exit codes", docs/action.md "Outputs"):
 * - `incomplete` (exit 2) when anything that should have been checked was not: a file that could not be
 *   read or parsed, a config that could not be used, a cluster resource that could not be listed. It wins
 *   over findings, and `fail-on: never` does not hide it: `fail-on` is a threshold on findings, and a green
 *   result over files nobody read would say something false. Whatever could be checked is still reported.
 * - `fail` (exit 1) when an unsuppressed finding (not an existing one under a baseline) reaches `fail-on`.
 * - `incomplete` (exit 2) also when the caller named the paths to judge (`nothingJudgedFails`), nothing among them
 *   was judged and `fail-on` is not `never`: a pull request adding `exclude: ["**"]` must not pass silently.
 * - `pass` (exit 0) otherwise.
 */
import type { Finding, ReportError } from '../model/findings.js';
import { reachesThreshold } from '../model/findings.js';
import type { FailOn } from '../model/options.js';

/** Exit codes are a public interface. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
/** Usage, config or input errors: the run is incomplete. */
export const EXIT_INCOMPLETE = 2;
export type ExitCode = typeof EXIT_OK | typeof EXIT_FINDINGS | typeof EXIT_INCOMPLETE;

export type Outcome = 'pass' | 'fail' | 'incomplete';

export interface ScanVerdict {
  outcome: Outcome;
  exitCode: ExitCode;
  /** Findings at or above `fail-on` (suppressed and baseline-existing findings never count). */
  failing: number;
  /** Inputs that could not be checked: `report.errors` plus the adapter's `otherProblems`. */
  unchecked: number;
  /** One line saying why the run did not pass (empty for a pass), without a tool prefix. */
  reason: string;
  /** `nothingJudgedFails` was set and no file was judged (reported as a notice even when it does not fail). */
  nothingJudged: boolean;
}

export interface VerdictOptions {
  /**
   * Problems outside the report that also leave the run incomplete, as counted by the adapter: config
   * errors (the CLI scans with the default config instead), cluster resources that could not be listed.
   */
  otherProblems?: number;
  /**
   * The user named the paths to judge (the Action's `paths` input): a run that judged no file from them fails
   * unless `fail-on` is `never`. `nothingJudged` in the verdict says it happened either way.
   */
  nothingJudgedFails?: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function scanVerdict(
  report: {
    readonly findings: readonly Finding[];
    readonly errors: readonly ReportError[];
    readonly summary?: { readonly files: number };
  },
  failOn: FailOn,
  opts: VerdictOptions = {},
): ScanVerdict {
  const failing = report.findings.filter((f) => reachesThreshold(f, failOn)).length;
  const others = opts.otherProblems ?? 0;
  const unchecked = report.errors.length + others;
  const nothingJudged = opts.nothingJudgedFails === true && report.summary?.files === 0 && unchecked === 0;
  if (unchecked > 0) {
    const parts = [
      ...(report.errors.length > 0 ? [`${plural(report.errors.length, 'file')} could not be checked`] : []),
      ...(others > 0 ? [`${plural(others, 'other problem')}`] : []),
    ];
    return {
      outcome: 'incomplete',
      exitCode: EXIT_INCOMPLETE,
      failing,
      unchecked,
      reason: `${parts.join(' and ')}; the scan is incomplete`,
      nothingJudged,
    };
  }
  if (failing > 0) {
    return {
      outcome: 'fail',
      exitCode: EXIT_FINDINGS,
      failing,
      unchecked,
      reason: `${plural(failing, 'finding')} at or above fail-on: ${failOn}`,
      nothingJudged,
    };
  }
  if (nothingJudged && failOn !== 'never') {
    return {
      outcome: 'incomplete',
      exitCode: EXIT_INCOMPLETE,
      failing,
      unchecked,
      reason: '0 files judged: the named paths matched no file that persistguard reads',
      nothingJudged,
    };
  }
  return { outcome: 'pass', exitCode: EXIT_OK, failing, unchecked, reason: '', nothingJudged };
}
