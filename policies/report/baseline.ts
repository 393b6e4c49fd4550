/**
 * Baselines: a JSON report from the base branch says which findings already existed, so only new ones
 * fail a pull request. Findings are matched by what they are about (rule, resource, container, data path),
 * never by line or file, so moving lines or files around does not resurrect old findings.
 */
import type { Finding, ScanReport } from '../model/findings.js';
import { errorMessage } from '../model/errors.js';

/** The identity of a finding across edits: rule + kind/namespace/name + container + path. */
export function findingKey(f: Pick<Finding, 'ruleId' | 'resource' | 'container' | 'path'>): string {
  const r = f.resource;
  return JSON.stringify([f.ruleId, r.kind, r.namespace ?? '', r.name, f.container ?? '', f.path ?? '']);
}

export interface BaselineResult {
  /** The report with every finding marked `baseline: 'new' | 'existing'`. */
  report: ScanReport;
  newCount: number;
  existingCount: number;
  /** Findings of the baseline that are gone now (fixed, or moved out of the scanned paths). */
  fixedCount: number;
}

/**
 * Marks findings that the baseline already had. Duplicates are counted: if the baseline had one
 * finding with a key and the scan has two, one of them is new.
 */
export function applyBaseline(report: ScanReport, baseline: ScanReport): BaselineResult {
  const remaining = new Map<string, number>();
  for (const f of baseline.findings) {
    if (f.suppressed) continue;
    const key = findingKey(f);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
  }
  let newCount = 0;
  let existingCount = 0;
  const findings = report.findings.map((f): Finding => {
    if (f.suppressed) return { ...f };
    const key = findingKey(f);
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      remaining.set(key, left - 1);
      existingCount++;
      return { ...f, baseline: 'existing' };
    }
    newCount++;
    return { ...f, baseline: 'new' };
  });
  let fixedCount = 0;
  for (const n of remaining.values()) fixedCount += n;
  return { report: { ...report, findings }, newCount, existingCount, fixedCount };
}

/**
 * Reads a baseline file's text: a persistguard JSON report. Throws an Error with a message naming the
 * file when it is not one (the Action turns that into a clear failure, not a silent "everything is new").
 */
export function parseBaseline(text: string, file: string): ScanReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: baseline is not valid JSON (${errorMessage(err)})`);
  }
  if (!isRecord(data) || !Array.isArray(data.findings)) {
    throw new Error(
      `${file}: baseline is not a persistguard JSON report (no "findings" array); write one with --format json`,
    );
  }
  data.findings.forEach((f: unknown, i: number) => {
    if (
      !isRecord(f) ||
      typeof f.ruleId !== 'string' ||
      !isRecord(f.resource) ||
      typeof f.resource.kind !== 'string' ||
      typeof f.resource.name !== 'string'
    ) {
      throw new Error(`${file}: baseline finding #${i + 1} lacks ruleId/resource.kind/resource.name`);
    }
  });
  // Validated above for the fields matching reads; the rest is only displayed.
  return data as unknown as ScanReport;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
