/**
 * The one glob matcher of the core (config `exclude`, `dataPaths`/`localImages` image and name matchers,
 * exemptions; exported through policies/index.ts for the adapters). picomatch with `dot: true`: `charts/**`
 * or `/app/*` means hidden entries too. Matchers are compiled once per pattern and options: a scan matches the
 * same few patterns against thousands of names.
 */
import picomatch from 'picomatch';

export interface GlobOptions {
  /** Case-insensitive (image references: registries and repositories are lower-case by spec). */
  nocase?: boolean;
  /** A pattern without a slash matches the last path segment (`exclude: ['*.tpl']`). */
  basename?: boolean;
  /**
   * Whether `*` and `**` match hidden entries (default true). The Action's `paths` inputs say false, as
   * GitHub's own path filters do.
   */
  dot?: boolean;
}

export type GlobMatcher = (value: string) => boolean;

const cache = new Map<string, GlobMatcher>();

/** A compiled matcher for one pattern, or for a list (matching any of them). */
export function globMatcher(pattern: string | readonly string[], opts: GlobOptions = {}): GlobMatcher {
  const dot = opts.dot ?? true;
  const key = JSON.stringify([pattern, !!opts.nocase, !!opts.basename, dot]);
  let m = cache.get(key);
  if (!m) {
    m = opts.basename
      ? basenameMatcher(typeof pattern === 'string' ? [pattern] : pattern, !!opts.nocase, dot)
      : compile(pattern, !!opts.nocase, dot);
    cache.set(key, m);
  }
  return m;
}

function compile(pattern: string | readonly string[], nocase: boolean, dot: boolean): GlobMatcher {
  return picomatch(pattern as string | string[], { dot, nocase });
}

/**
 * picomatch's own `basename` option also changes how patterns WITH a slash match (`k8s/*.yaml` stops matching
 * `k8s/a.yaml`), so only slash-free patterns get it; the others match the whole relative path.
 */
function basenameMatcher(patterns: readonly string[], nocase: boolean, dot: boolean): GlobMatcher {
  const bare = patterns.filter((p) => !p.includes('/'));
  const pathed = patterns.filter((p) => p.includes('/'));
  const byName = bare.length > 0 ? picomatch(bare, { dot, nocase, basename: true }) : undefined;
  const byPath = pathed.length > 0 ? compile(pathed, nocase, dot) : undefined;
  return (value) => (byName?.(value) ?? false) || (byPath?.(value) ?? false);
}

/** Whether `value` matches the glob `pattern`. */
export function matchesGlob(pattern: string, value: string, opts: GlobOptions = {}): boolean {
  return globMatcher(pattern, opts)(value);
}
