/**
 * Image references, normalised the way containerd names them, so that `kilo/app:1`,
 * `docker.io/kilo/app:1` and `index.docker.io/kilo/app:1` are one image, and `postgres` is
 * `docker.io/library/postgres:latest`.
 */

export interface ImageRef {
  /** Registry host (`docker.io`, `ghcr.io`, `localhost`, `registry:5000`). */
  registry: string;
  /** Repository path without registry (`library/postgres`, `bitnami/postgresql`). */
  repository: string;
  /** Tag as written, or undefined when only a digest or nothing is given. */
  tag?: string;
  digest?: string;
  /** `registry/repository:tag` (tag `latest` when neither tag nor digest), plus `@digest` when present. */
  normalized: string;
  /** The last path segment of the repository (`postgres`, `postgresql`), for catalog matching. */
  shortName: string;
}

const DOCKER_HUB = 'docker.io';

function looksLikeRegistry(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/** The parts of a reference as written: registry only when one is given (Docker Hub's aliases folded). */
export interface ReferenceParts {
  registry?: string;
  /** Repository path, lower-cased, without registry, tag or digest. */
  path: string;
  tag?: string;
  digest?: string;
}

/** Splits `[registry/]path[:tag][@digest]` without applying Docker Hub defaults (also used for globs). */
export function splitReference(raw: string): ReferenceParts | undefined {
  let rest = raw.trim();
  if (rest === '') return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && looksLikeRegistry(parts[0] as string)) {
    registry = (parts.shift() as string).toLowerCase();
    if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  }
  return { registry, path: parts.join('/').toLowerCase(), tag, digest };
}

/** Parses an image reference; returns undefined for empty strings or unresolved templates (`${IMAGE}`). */
export function parseImage(raw: string): ImageRef | undefined {
  if (/[\s$`{}]/.test(raw.trim())) return undefined;
  const parts = splitReference(raw);
  if (!parts || parts.path === '') return undefined;
  const { tag, digest } = parts;
  const registry = parts.registry ?? DOCKER_HUB;
  const repository = registry === DOCKER_HUB && !parts.path.includes('/') ? `library/${parts.path}` : parts.path;
  const shortName = repository.slice(repository.lastIndexOf('/') + 1);
  const base = `${registry}/${repository}`;
  const normalized = `${base}${tag !== undefined ? `:${tag}` : digest ? '' : ':latest'}${digest ? `@${digest}` : ''}`;
  return { registry, repository, tag, digest, normalized, shortName };
}

/** Normalised form, or the trimmed input when it cannot be parsed (so comparisons still work). */
export function normalizeImage(raw: string): string {
  return parseImage(raw)?.normalized ?? raw.trim();
}

/** True when both references name the same image (tags compared as written; a digest on either side wins). */
export function sameImage(a: string, b: string): boolean {
  const x = parseImage(a);
  const y = parseImage(b);
  if (!x || !y) return a.trim() === b.trim();
  if (x.registry !== y.registry || x.repository !== y.repository) return false;
  if (x.digest && y.digest) return x.digest === y.digest;
  return (x.tag ?? 'latest') === (y.tag ?? 'latest');
}

/** `latest` or no tag and no digest: the node cannot tell a rebuilt image from the old one. */
export function isMutableTag(raw: string): boolean {
  const r = parseImage(raw);
  if (!r) return false;
  if (r.digest) return false;
  return r.tag === undefined || r.tag === 'latest';
}

/** Kubernetes' default pull policy: Always for `:latest`/untagged, IfNotPresent otherwise. */
export function effectivePullPolicy(image: string, explicit?: string): 'Always' | 'IfNotPresent' | 'Never' {
  if (explicit === 'Always' || explicit === 'IfNotPresent' || explicit === 'Never') return explicit;
  const r = parseImage(image);
  if (r && !r.digest && (r.tag === undefined || r.tag === 'latest')) return 'Always';
  return 'IfNotPresent';
}

/**
 * Every spelling containerd may list for an image in a node's `status.images[].names`, so a set lookup
 * by `normalizeImage(x)` finds it whichever way it was written.
 */
export function imageAliases(raw: string): string[] {
  const r = parseImage(raw);
  if (!r) return [raw.trim()];
  const out = new Set<string>([r.normalized]);
  if (r.digest) out.add(`${r.registry}/${r.repository}@${r.digest}`);
  return [...out];
}
