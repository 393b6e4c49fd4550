// Types for measure.js (plain JS so the bench can run it on the built core without a TypeScript step).
import type { ScanReport } from '../../policies/model/findings.js';

export interface Expectation {
  file: string;
  rule: string;
  /** `Kind/name` */
  resource: string;
  severity: 'error' | 'warning';
}
export interface Unit {
  name: string;
  folder?: string;
  cwd: string;
  source: 'corpus' | 'shared';
  files: string[];
  expected: Expectation[];
}
export interface Found extends Expectation {
  message: string;
}
export interface UnitResult {
  unit: string;
  files: number;
  exit: 0 | 1 | 2;
  found: number;
  tp: Expectation[];
  fp: Found[];
  fn: Expectation[];
  inputErrors: { file: string; line?: number; message: string }[];
}
export interface RuleScore {
  rule: string;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}
export interface Summary {
  files: number;
  units: number;
  rules: RuleScore[];
  overall: { tp: number; fp: number; fn: number; precision: number; recall: number };
  falseInputErrors: UnitResult['inputErrors'];
  falseErrors: Found[];
  misses: Expectation[];
  falsePositives: Found[];
}
export function loadUnits(opts: { corpusDir: string; sharedCorpusDir?: string; labelsFile: string }): {
  units: Unit[];
  problems: string[];
};
export function measure(
  units: Unit[],
  scan: (folder: string, cwd: string) => Promise<ScanReport>,
): Promise<UnitResult[]>;
export function summarize(results: UnitResult[]): Summary;
