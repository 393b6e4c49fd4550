/**
 * How the `persistguard.io/protected` label reads, and the guard on UPDATEs that would drop a claim's
 * protection: removing the label and then deleting must cost the same confirmation as the delete itself.
 */
export type Protection = 'protected' | 'unprotected' | 'unrecognised';

// YAML 1.1 booleans (what a human typing a label value means), compared trimmed and case-insensitively.
const TRUE_SPELLINGS = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE_SPELLINGS = new Set(['false', 'no', 'n', 'off', '0', '']);

/**
 * `true`, `True`, `yes`, `on`… protect; `false`, `no`, `off`… and an absent label do not. Anything else is
 * unrecognised: the guard treats it as protected (a typo must never silently drop protection) and says so.
 */
export function readProtection(value: string | undefined): Protection {
  if (value === undefined) return 'unprotected';
  const v = value.trim().toLowerCase();
  if (TRUE_SPELLINGS.has(v)) return 'protected';
  if (FALSE_SPELLINGS.has(v)) return 'unprotected';
  return 'unrecognised';
}

export function guardsClaim(value: string | undefined): boolean {
  return readProtection(value) !== 'unprotected';
}
