/**
 * Existing violations on UPDATE (as Kyverno's `allowExistingViolations`, default on): a label-only change or
 * `kubectl rollout restart` of a workload that was already non-compliant must not be denied for what it
 * already did — blocking it only blocks the operator, never the data loss. An UPDATE is denied only for
 * violations the old object did not have; the existing ones are answered as warnings.
 */
import type { PendingFinding } from '../policies/index.js';

/** `allow` (default): an UPDATE adding no new violation is allowed with warnings; `deny`: every violation denies. */
export type ExistingViolations = 'allow' | 'deny';
export const EXISTING_VIOLATIONS: readonly ExistingViolations[] = ['allow', 'deny'];

/**
 * What makes two findings the same violation: the rule, the container and the data path. Not the message,
 * which may quote positions or counts that an unrelated edit shifts.
 */
function violationKey(f: PendingFinding): string {
  return `${f.ruleId}\u0000${f.container ?? ''}\u0000${f.path ?? ''}`;
}

export interface ViolationSplit {
  /** Violations the old object did not have: these still deny. */
  added: PendingFinding[];
  /** Violations the old object had already: allowed, and said as warnings. */
  existing: PendingFinding[];
}

/** Splits the new object's error findings by whether the old object had the same violation. */
export function splitExisting(errors: PendingFinding[], oldErrors: PendingFinding[]): ViolationSplit {
  const before = new Set(oldErrors.map(violationKey));
  const added: PendingFinding[] = [];
  const existing: PendingFinding[] = [];
  for (const f of errors) (before.has(violationKey(f)) ? existing : added).push(f);
  return { added, existing };
}
