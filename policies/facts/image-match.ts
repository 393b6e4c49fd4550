/**
 * Glob matching of image references, for the catalog, config `dataPaths`/`localImages` and build facts.
 *
 * Patterns are matched against the normalised `registry/repository` of `facts/images.ts`. A pattern without a
 * registry matches on any registry, and Docker Hub's `library/` prefix is optional on both sides, so
 * `postgres` matches `postgres:16`, `docker.io/library/postgres`, `mirror.gcr.io/library/postgres` and
 * `public.ecr.aws/docker/library/postgres@sha256:…`. A pattern with a tag (`postgres:16*`) also checks the
 * tag; without one, every tag and digest matches.
 */
import { globMatcher } from './glob.js';
import { parseImage, sameImage, splitReference, type ImageRef } from './images.js';

// `*` stays within one path segment, like Docker's own reference grammar; `**` crosses segments.
function glob(pattern: string): (s: string) => boolean {
  return globMatcher(pattern, { nocase: true });
}

interface ImagePattern {
  registry?: string;
  repository: string;
  tag?: string;
  /** Compiled once per pattern: a catalog lookup tries every entry, and building a matcher's cache key costs more than the match. */
  registryMatches?: (s: string) => boolean;
  tagMatches?: (s: string) => boolean;
  repositoryMatchers: ((s: string) => boolean)[];
}

const patterns = new Map<string, ImagePattern | undefined>();

/** Patterns are the catalog's and the config's few hundred, matched against every image: split each once. */
function splitPattern(raw: string): ImagePattern | undefined {
  if (patterns.has(raw)) return patterns.get(raw);
  const parts = splitReference(raw.toLowerCase());
  let p: ImagePattern | undefined;
  if (parts) {
    const repos =
      parts.registry === undefined || parts.registry === 'docker.io' ? repositoryVariants(parts.path) : [parts.path];
    p = { registry: parts.registry, repository: parts.path, tag: parts.tag, repositoryMatchers: repos.map(glob) };
    if (parts.registry !== undefined) p.registryMatches = glob(parts.registry);
    if (parts.tag !== undefined) p.tagMatches = glob(parts.tag);
  }
  if (patterns.size < 10_000) patterns.set(raw, p);
  return p;
}

/** Repository spellings that name the same Docker Hub image through mirrors (`docker/library/x`, `library/x`, `x`). */
function repositoryVariants(repo: string): string[] {
  const out = [repo];
  const lib = repo.lastIndexOf('library/');
  if (lib >= 0 && (lib === 0 || repo[lib - 1] === '/')) out.push(repo.slice(lib + 'library/'.length));
  return out;
}

export interface MatchOptions {
  /**
   * Registry mirrors, pull-through proxies and re-hosted copies keep the upstream path at the end
   * (`mcr.microsoft.com/oss/bitnami/redis`, `harbor.example.com/dockerhub/bitnami/redis`): a pattern of two or
   * more segments without a registry then also matches the image's trailing segments. One-segment patterns
   * (`postgres`) stay Docker Hub official images (`…/library/postgres`), so `acme/postgres` is not postgres.
   */
  mirrors?: boolean;
}

/** True when `image` (a reference as written in a manifest) matches the glob `pattern`. */
export function imageMatches(pattern: string, image: string | ImageRef, opts: MatchOptions = {}): boolean {
  const ref = typeof image === 'string' ? parseImage(image) : image;
  const p = splitPattern(pattern);
  if (!ref || !p) return false;
  if (p.registryMatches && !p.registryMatches(ref.registry)) return false;
  if (p.tagMatches && !p.tagMatches(ref.tag ?? (ref.digest ? '' : 'latest'))) return false;
  const imageRepos = repositoryVariants(ref.repository);
  if (opts.mirrors && p.registry === undefined && !p.repository.includes('**')) {
    const n = p.repository.split('/').length;
    const segs = ref.repository.split('/');
    if (n >= 2 && segs.length > n) imageRepos.push(segs.slice(segs.length - n).join('/'));
  }
  return p.repositoryMatchers.some((match) => imageRepos.some((ir) => match(ir)));
}

/** True when any of the globs matches the image. */
export function imageMatchesAny(patterns: readonly string[], image: string): boolean {
  return patterns.some((p) => imageMatches(p, image));
}

/**
 * Whether a build/import fact names the same image as a manifest reference. Facts from scripts may contain
 * `*` where a shell variable could not be resolved (`kilo/*:latest`): those are matched as globs, with the
 * fact's registry and tag defaults (`x` is `docker.io/library/x:latest`, `localhost/x` is its own registry).
 */
export function factNamesImage(fact: string, image: string): boolean {
  if (!fact.includes('*')) return sameImage(fact, image);
  const f = parseImage(fact);
  const i = parseImage(image);
  if (!f || !i) return false;
  if (!glob(f.registry)(i.registry) || !glob(f.repository)(i.repository)) return false;
  if (f.digest && i.digest) return f.digest === i.digest;
  return glob(f.tag ?? 'latest')(i.tag ?? 'latest');
}
