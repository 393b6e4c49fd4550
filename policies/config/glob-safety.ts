import type { PathSegment } from '../model/model.js';

/**
 * Config globs are compiled to regular expressions (picomatch) and run against names the scanned
 * repository or an admission request controls. Two shapes make that regex backtrack without bound:
 * extglobs (`*(a*)*b` takes 11 s on 28 characters: exponential) and many `*` in one path segment
 * (`*a*a*a*b` is quartic: 40 s on 1 KiB). Neither is needed to match images, names or paths, so they
 * are refused when the config is loaded, with the key that holds them.
 */
export const MAX_STARS_PER_SEGMENT = 3;

const EXTGLOB = /[@!*+?]\(/;

/** Where the config keeps globs: top-level lists, and keys of the entries of top-level lists. */
const GLOB_LISTS = ['localImages', 'exclude'] as const;
const GLOB_ENTRY_KEYS: Record<string, readonly string[]> = {
  dataPaths: ['image', 'workload', 'service', 'namespace', 'container'],
  exemptions: ['kind', 'namespace', 'name', 'file', 'container', 'path'],
};
const WEBHOOK_CLAIM_KEYS = ['namespace', 'name'] as const;

/** Why `pattern` is refused, or undefined when it is a safe glob. */
export function unsafeGlobReason(pattern: string): string | undefined {
  if (EXTGLOB.test(pattern))
    return `'${pattern}' uses an extglob (@(…), !(…), *(…), +(…), ?(…)), which can take exponential time to match; use plain *, ** and {a,b} instead`;
  for (const segment of pattern.split('/')) {
    if (segment === '**') continue;
    const stars = segment.replace(/\*\*+/g, '*').split('*').length - 1;
    if (stars > MAX_STARS_PER_SEGMENT)
      return `'${pattern}' has ${stars} '*' in one path segment (at most ${MAX_STARS_PER_SEGMENT}): matching time grows with the name length to that power`;
  }
  return undefined;
}

export interface GlobIssue {
  path: PathSegment[];
  message: string;
}

function check(value: unknown, path: PathSegment[], out: GlobIssue[]): void {
  if (typeof value !== 'string') return;
  const reason = unsafeGlobReason(value);
  if (reason) out.push({ path, message: reason });
}

function entries(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/** Every glob in a config-shaped object that would be unsafe to compile. */
export function unsafeGlobs(config: unknown): GlobIssue[] {
  const out: GlobIssue[] = [];
  for (const list of GLOB_LISTS) entries(field(config, list)).forEach((g, i) => check(g, [list, i], out));
  for (const [list, keys] of Object.entries(GLOB_ENTRY_KEYS)) {
    entries(field(config, list)).forEach((entry, i) => {
      for (const key of keys) check(field(entry, key), [list, i, key], out);
    });
  }
  entries(field(field(config, 'webhook'), 'protectedClaims')).forEach((entry, i) => {
    for (const key of WEBHOOK_CLAIM_KEYS) check(field(entry, key), ['webhook', 'protectedClaims', i, key], out);
  });
  return out;
}
