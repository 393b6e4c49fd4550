/**
 * The built-in image catalog: where well-known images keep their data, how a workload can move that
 * directory (env vars, flags, config-file keys), whether persistence can be switched off, and the image's
 * own `VOLUME` list (compose creates anonymous volumes there). Every entry cites its source.
 */
import catalogFile from './catalog/images.json' with { type: 'json' };
import type { DataPathEntry } from '../config/types.js';
import { imageMatches } from './image-match.js';
import { parseImage, splitReference, type ImageRef } from './images.js';

/** A catalog entry: a config-shaped `dataPaths` entry plus what only the built-in catalog knows. */
export interface CatalogEntry extends DataPathEntry {
  /** Where the data path is documented: the image's Dockerfile (`VOLUME`) or the vendor's docs. */
  source?: string;
  /** The image's `VOLUME` directories (compose gives each an anonymous volume unless something is mounted there). */
  volumes?: string[];
  /** More env vars that move the data directory (after `pathEnv`; the first one set wins). */
  dirEnv?: string[];
  /** Command-line flags whose value is the data directory (`--dir`, `--storage.tsdb.path`, `-path.data`). */
  dirFlags?: string[];
  /** A subcommand followed by the data directories (minio `server /d1 /d2`). */
  dirSubcommand?: string;
  /** Keys of a mounted config file that set the data directory (redis `dir`, elasticsearch `path.data`). */
  dirConfigKeys?: string[];
  /** How persistence is switched off; `redis`: `save ""` and no `appendonly yes` (redis, valkey, keydb). */
  persistence?: 'redis';
  /**
   * Env vars that point the image at an external or in-memory store: `NAME` (any value, Keycloak `KC_DB`) or
   * `NAME=value` (`INFLUXDB_OBJECT_STORE=memory`). No local data then.
   */
  noDataWhenEnv?: string[];
  /** An env var listing the node's roles; a node with none of `roles` (coordinating-only, ingest) keeps no data. */
  dataRoles?: { env: string; roles: string[] };
  /** Data paths of older layouts of the same image (postgres ≤ 17), accepted when the tag is unknown. */
  olderLayouts?: string[];
  /** The path is distinctive enough that an emptyDir exactly there means this image's data, whatever the image. */
  wellKnown?: boolean;
}

export const catalog: readonly CatalogEntry[] = (catalogFile as { dataPaths: CatalogEntry[] }).dataPaths;

/** An image reference reduced to what the catalog can match, and whether its tag is known. */
export interface CatalogImage {
  image: string;
  /** False when the tag or digest is a variable (`postgres:${PG_VERSION}`): any version may run. */
  tagKnown: boolean;
}

const VAR_RE = /[$`{}]/;
const WHOLE_DEFAULT_RE = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^{}$]*)\}$/;

/**
 * The reference to look up in the catalog. A variable in the tag or digest keeps the repository
 * (`postgres:${PG_VERSION}` is postgres, version unknown); `${IMAGE:-postgres:16}` is its default; a
 * variable registry or namespace in front (`${REGISTRY}/bitnami/redis`) is dropped, since mirrors match by
 * their trailing path anyway. Undefined when the repository itself is a variable.
 */
export function catalogImageOf(raw: string): CatalogImage | undefined {
  const s = raw.trim();
  if (!VAR_RE.test(s)) return parseImage(s) ? { image: s, tagKnown: true } : undefined;
  const whole = WHOLE_DEFAULT_RE.exec(s);
  if (whole) return catalogImageOf(whole[1] as string);
  let rest = s;
  let tagKnown = true;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (VAR_RE.test(rest.slice(at))) tagKnown = false;
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  // The tag starts at the last `:` after the last `/` — but `${X:-y}` has a `:` of its own; cut at a `:`
  // that is outside every `${…}`.
  let depth = 0;
  let tagAt = -1;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === ':' && depth === 0 && i > slash) tagAt = i;
  }
  if (tagAt < 0 && colon > slash && depth === 0) tagAt = colon;
  if (tagAt >= 0) {
    if (VAR_RE.test(rest.slice(tagAt + 1))) tagKnown = false;
    rest = rest.slice(0, tagAt);
  }
  const segments = rest.split('/');
  while (segments.length > 1 && VAR_RE.test(segments[0] as string)) segments.shift();
  const repo = segments.join('/');
  if (repo === '' || VAR_RE.test(repo)) return undefined;
  return parseImage(repo) ? { image: repo, tagKnown } : undefined;
}

const builtinMatches = new Map<string, { entry: CatalogEntry | null; tagKnown: boolean }>();

/** Characters that make a picomatch pattern more than a literal. */
const GLOB_CHARS = /[*?[\]{}()!+@]/;

/**
 * Entry indices by the last segment of their image pattern (`bitnami/postgresql` → `postgresql`): a pattern
 * whose last segment is a literal can only match an image with that last segment, whatever the registry,
 * mirror prefix or `library/` spelling. Patterns with a glob there stay candidates for every image.
 */
interface EntryIndex {
  byLastSegment: Map<string, number[]>;
  anyImage: number[];
}

const indexes = new WeakMap<readonly CatalogEntry[], EntryIndex>();

function indexOf(entries: readonly CatalogEntry[]): EntryIndex {
  let index = indexes.get(entries);
  if (index) return index;
  index = { byLastSegment: new Map(), anyImage: [] };
  entries.forEach((e, i) => {
    if (e.image === undefined) return;
    const parts = splitReference(e.image.toLowerCase());
    const last = parts ? parts.path.slice(parts.path.lastIndexOf('/') + 1) : '';
    if (!parts || last === '' || GLOB_CHARS.test(last)) {
      index.anyImage.push(i);
      return;
    }
    const list = index.byLastSegment.get(last);
    if (list) list.push(i);
    else index.byLastSegment.set(last, [i]);
  });
  indexes.set(entries, index);
  return index;
}

/** The entries that may match an image, in catalog order (the first match wins). */
function candidates(entries: readonly CatalogEntry[], image: ImageRef): CatalogEntry[] {
  const index = indexOf(entries);
  const named = index.byLastSegment.get(image.shortName.toLowerCase()) ?? [];
  const out: CatalogEntry[] = [];
  let a = 0;
  let b = 0;
  while (a < named.length || b < index.anyImage.length) {
    const x = named[a] ?? Infinity;
    const y = index.anyImage[b] ?? Infinity;
    if (x < y) a++;
    else b++;
    out.push(entries[Math.min(x, y)] as CatalogEntry);
  }
  return out;
}

function findEntry(entries: readonly CatalogEntry[], raw: string, tagKnown: boolean): CatalogEntry | undefined {
  // Parsed once here rather than once per entry inside `imageMatches` (an unparsable image matches nothing).
  const image = parseImage(raw);
  if (!image) return undefined;
  const tried = candidates(entries, image);
  if (tagKnown) return tried.find((e) => e.image !== undefined && imageMatches(e.image, image, { mirrors: true }));
  // Version unknown: the newest layout (the first entry for the repository, entries listing newer
  // versions first), with the older layouts accepted as alternatives.
  return tried.find(
    (e) => e.image !== undefined && imageMatches(stripTag(e.image), image, { mirrors: true }) && !isOldOnly(e),
  );
}

function stripTag(pattern: string): string {
  const slash = pattern.lastIndexOf('/');
  const colon = pattern.lastIndexOf(':');
  return colon > slash ? pattern.slice(0, colon) : pattern;
}

/** An entry for an older version only (`influxdb:1*`): not the default for an unknown tag. */
function isOldOnly(e: CatalogEntry): boolean {
  const img = e.image ?? '';
  const slash = img.lastIndexOf('/');
  const colon = img.lastIndexOf(':');
  if (colon <= slash) return false;
  return e.olderLayouts === undefined && !/latest/.test(img.slice(colon + 1));
}

/** The catalog entry for an image reference as written (variables allowed), and whether its tag is known. */
export function catalogLookup(
  raw: string,
  entries: readonly CatalogEntry[] = catalog,
): { entry: CatalogEntry; tagKnown: boolean } | undefined {
  const key = raw;
  if (entries === catalog) {
    const hit = builtinMatches.get(key);
    if (hit) return hit.entry ? { entry: hit.entry, tagKnown: hit.tagKnown } : undefined;
  }
  const ref = catalogImageOf(raw);
  const entry = ref ? findEntry(entries, ref.image, ref.tagKnown) : undefined;
  const tagKnown = ref?.tagKnown ?? true;
  // The same few images repeat across thousands of documents: remember the built-in catalog's answer.
  if (entries === catalog && builtinMatches.size < 10_000) builtinMatches.set(key, { entry: entry ?? null, tagKnown });
  return entry ? { entry, tagKnown } : undefined;
}

/** The first catalog entry whose image glob matches (vendor variants come first in the file). */
export function catalogEntryFor(image: string, entries: readonly CatalogEntry[] = catalog): CatalogEntry | undefined {
  return catalogLookup(image, entries)?.entry;
}

/** Catalog entries whose data path is distinctive (`/var/lib/postgresql/data`), by path. */
let wellKnownIndex: Map<string, CatalogEntry> | undefined;
export function wellKnownDataDir(path: string): CatalogEntry | undefined {
  if (!wellKnownIndex) {
    wellKnownIndex = new Map();
    for (const e of catalog) {
      if (!e.wellKnown) continue;
      for (const p of e.paths) if (!wellKnownIndex.has(p)) wellKnownIndex.set(p, e);
    }
  }
  return wellKnownIndex.get(path);
}
