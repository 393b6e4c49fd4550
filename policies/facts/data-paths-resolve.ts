/**
 * Declared data paths per container, in the issue's order of precedence: annotation, config `dataPaths`,
 * the built-in catalog, env vars named like data/state/cache/log directories, and SQLite files.
 */
import picomatch from 'picomatch';
import catalogFile from './catalog/images.json' with { type: 'json' };
import type { ResolvedConfig, DataPathEntry } from '../config/types.js';
import type { DataPath, DataPathOrigin } from './data-paths.js';
import type { Severity } from '../model/findings.js';
import type { Anchor, ConfigMapModel, ContainerModel, Located, WorkloadModel } from '../model/model.js';
import { childAnchor } from '../model/model.js';
import { imageMatches } from './image-match.js';
import type { DockerfileLookup } from './dockerfiles.js';
import { deepestCoveringMount } from './mounts.js';
import type { ContainerWithData } from '../rules/rule.js';
import { dirOf, findSqliteReferences, normalizePosixPath } from './sqlite.js';

const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

export const DATA_PATHS_ANNOTATION = 'persistguard.io/data-paths';
export const COMPOSE_DATA_PATHS_LABEL = 'io.persistguard.data-paths';

/** The built-in catalog (a config-shaped file, validated by the config schema in tests). */
export const catalog: readonly DataPathEntry[] = (catalogFile as { dataPaths: DataPathEntry[] }).dataPaths;

/**
 * Images whose real data directory is given on the command line. Keyed by catalog entry name; the value is
 * a flag (`--data-dir`) or a subcommand whose following absolute paths are the data dirs (minio `server`).
 */
const ARG_PATHS: Record<string, { flag?: string; subcommand?: string }> = {
  minio: { subcommand: 'server' },
  'bitnami-minio': { subcommand: 'server' },
  prometheus: { flag: '--storage.tsdb.path' },
  etcd: { flag: '--data-dir' },
  'influxdb-3': { flag: '--data-dir' },
};

const DATA_ENV_EXACT = new Set(['DATA_DIR', 'DATA_PATH', 'STATE_DIR']);
const DATA_ENV_SUFFIX = [
  '_DATA_DIR',
  '_DATA_PATH',
  '_DB_PATH',
  '_DATABASE_PATH',
  '_MODEL_PATH',
  '_MODELS_DIR',
  '_STORAGE_PATH',
  '_STATE_DIR',
];
const CACHE_LOG_ENV_EXACT = new Set(['CACHE_DIR', 'LOG_DIR', 'LOG_PATH']);
const CACHE_LOG_ENV_SUFFIX = ['_CACHE_DIR', '_CACHE_PATH', '_LOG_DIR'];

export type EnvPathClass = 'data' | 'cacheOrLog' | undefined;

/** Whether an env var name declares a data directory, a cache/log directory, or neither. */
export function classifyEnvName(name: string): EnvPathClass {
  const n = name.toUpperCase();
  if (DATA_ENV_EXACT.has(n) || DATA_ENV_SUFFIX.some((s) => n.endsWith(s))) return 'data';
  if (CACHE_LOG_ENV_EXACT.has(n) || CACHE_LOG_ENV_SUFFIX.some((s) => n.endsWith(s))) return 'cacheOrLog';
  return undefined;
}

const ABS_PATH_RE = /^\/[^\s:;,*?"'`$]*$/;
// A last segment like `model.pkl` or `app.log` names a file; `.n8n` (leading dot) is a directory.
const FILE_SEGMENT_RE = /[^/.][^/]*\.[A-Za-z0-9]{1,10}$/;

/** Normalised directory for an env/annotation value, or undefined when it is not an absolute path. */
export function directoryOf(value: string, fileMeansDir = true): string | undefined {
  const v = value.trim();
  if (!ABS_PATH_RE.test(v)) return undefined;
  const p = normalizePosixPath(v);
  if (fileMeansDir && FILE_SEGMENT_RE.test(p.slice(p.lastIndexOf('/') + 1))) return dirOf(p);
  return p;
}

const ORIGIN_RANK: Record<DataPathOrigin, number> = {
  annotation: 0,
  config: 1,
  catalog: 2,
  env: 3,
  sqlite: 4,
  dockerfile: 5,
};

function stronger(a: Severity, b: Severity): Severity {
  return a === 'error' || b === 'error' ? 'error' : 'warning';
}

/** One entry per path: the strongest origin wins, the severity is the highest seen, a SQLite file is kept. */
export function dedupeDataPaths(paths: readonly DataPath[]): DataPath[] {
  const byPath = new Map<string, DataPath>();
  for (const p of paths) {
    const prev = byPath.get(p.path);
    if (!prev) {
      byPath.set(p.path, { ...p });
      continue;
    }
    const keep = ORIGIN_RANK[p.origin] < ORIGIN_RANK[prev.origin] ? { ...p } : prev;
    keep.severity = stronger(prev.severity, p.severity);
    keep.sqliteFile = prev.sqliteFile ?? p.sqliteFile;
    byPath.set(p.path, keep);
  }
  return [...byPath.values()];
}

const globCache = new Map<string, (s: string) => boolean>();
function globMatch(pattern: string, value: string | undefined): boolean {
  let m = globCache.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    globCache.set(pattern, m);
  }
  return m(value ?? '');
}

function annotation(w: WorkloadModel, ...keys: string[]): Located<string> | undefined {
  for (const k of keys) {
    const a = w.annotations[k];
    if (a) return a;
  }
  return undefined;
}

function envValue(c: ContainerModel, name: string): { value: string; at: Anchor } | undefined {
  // The last definition wins, as in Kubernetes and compose.
  for (let i = c.env.length - 1; i >= 0; i--) {
    const e = c.env[i];
    if (e && e.name === name && e.value !== undefined) return { value: e.value, at: childAnchor(e.at, 'value') };
  }
  return undefined;
}

/** Command and args split into words, each with the anchor of the item it came from (`sh -c "…"` too). */
function words(c: ContainerModel): { word: string; at: Anchor }[] {
  const out: { word: string; at: Anchor }[] = [];
  for (const item of [...c.command, ...c.args]) {
    for (const w of item.value.split(/\s+/))
      if (w !== '') out.push({ word: w.replace(/^['"]|['"]$/g, ''), at: item.at });
  }
  return out;
}

function argPaths(c: ContainerModel, spec: { flag?: string; subcommand?: string }): { path: string; at: Anchor }[] {
  const ws = words(c);
  const out: { path: string; at: Anchor }[] = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as { word: string; at: Anchor };
    if (spec.flag) {
      let value: string | undefined;
      let at = w.at;
      if (w.word.startsWith(`${spec.flag}=`)) value = w.word.slice(spec.flag.length + 1);
      else if (w.word === spec.flag && ws[i + 1]) {
        value = (ws[i + 1] as { word: string }).word;
        at = (ws[i + 1] as { at: Anchor }).at;
      }
      const dir = value !== undefined ? directoryOf(value, false) : undefined;
      if (dir) out.push({ path: dir, at });
    }
    if (spec.subcommand && w.word === spec.subcommand) {
      // minio: `server /data1 /data2 --console-address :9001`; ellipsis expansions (`/data{1...4}`) are skipped.
      for (let j = i + 1; j < ws.length; j++) {
        const a = ws[j] as { word: string; at: Anchor };
        if (a.word.startsWith('-')) break;
        const dir = directoryOf(a.word, false);
        if (dir) out.push({ path: dir, at: a.at });
      }
    }
  }
  return out;
}

const builtinMatches = new Map<string, DataPathEntry | null>();

/** The first catalog entry whose image glob matches (vendor variants come first in the file). */
export function catalogEntryFor(image: string, entries: readonly DataPathEntry[] = catalog): DataPathEntry | undefined {
  const find = (): DataPathEntry | undefined =>
    entries.find((e) => e.image !== undefined && imageMatches(e.image, image));
  if (entries !== catalog) return find();
  // The same few images repeat across thousands of documents: remember the built-in catalog's answer.
  let hit = builtinMatches.get(image);
  if (hit === undefined) {
    hit = find() ?? null;
    if (builtinMatches.size < 10_000) builtinMatches.set(image, hit);
  }
  return hit ?? undefined;
}

function configEntryMatches(e: DataPathEntry, w: WorkloadModel, c: ContainerModel): boolean {
  if (e.image !== undefined && !(c.image && imageMatches(e.image, c.image.value))) return false;
  const isCompose = w.source === 'compose';
  if (e.workload !== undefined && (isCompose || !globMatch(e.workload, w.resource.name))) return false;
  if (e.service !== undefined && (!isCompose || !globMatch(e.service, w.resource.name))) return false;
  if (e.namespace !== undefined && !globMatch(e.namespace, w.resource.namespace ?? 'default')) return false;
  if (e.container !== undefined && !globMatch(e.container, c.name)) return false;
  if (c.role === 'initContainer' && e.container === undefined) return false;
  return (
    e.image !== undefined ||
    e.workload !== undefined ||
    e.service !== undefined ||
    e.namespace !== undefined ||
    e.container !== undefined
  );
}

/** Paths from a catalog/config entry for one container: `pathEnv`, command-line flags, or the listed paths. */
function entryPaths(e: DataPathEntry, c: ContainerModel, origin: 'config' | 'catalog', reason: string): DataPath[] {
  const fallbackAt = c.image?.at ?? c.at;
  if (e.pathEnv) {
    const v = envValue(c, e.pathEnv);
    const dir = v ? directoryOf(v.value, false) : undefined;
    if (dir && v) return [{ path: dir, origin, severity: 'error', reason: `${reason} (${e.pathEnv})`, at: v.at }];
  }
  const spec = e.name !== undefined && origin === 'catalog' ? ARG_PATHS[e.name] : undefined;
  if (spec) {
    const fromArgs = argPaths(c, spec);
    if (fromArgs.length > 0)
      return fromArgs.map((a) => ({
        path: a.path,
        origin,
        severity: 'error',
        reason: `${reason} (${spec.flag ?? spec.subcommand} argument)`,
        at: a.at,
      }));
  }
  return e.paths.flatMap((p) => {
    const dir = directoryOf(p, false);
    return dir ? [{ path: dir, origin, severity: 'error' as const, reason, at: fallbackAt }] : [];
  });
}

export interface ResolveOptions {
  config: ResolvedConfig;
  /** ConfigMaps of the scan (or the cluster), by namespace and name, for SQLite URLs in mounted config. */
  configMap?: (namespace: string, name: string) => ConfigMapModel | undefined;
  /** Defaults to the built-in catalog. */
  catalog?: readonly DataPathEntry[];
  /** The repository's Dockerfile that builds a container's image, when one is known. */
  dockerfile?: DockerfileLookup;
}

/**
 * Data paths the image's own Dockerfile declares: `VOLUME` directories (Kubernetes ignores VOLUME, so the
 * data lands in the container filesystem; Docker gives compose an anonymous volume, judged elsewhere) and
 * `ENV` defaults the container does not override. Anchored at the container's image, named by the line.
 */
function dockerfilePaths(w: WorkloadModel, c: ContainerModel, lookup: DockerfileLookup | undefined): DataPath[] {
  const d = lookup?.(c);
  if (!d) return [];
  const at = c.image?.at ?? c.at;
  const line = (a: Anchor): string => `${d.dockerfile.file}${a.kind === 'pos' ? `:${a.line}` : ''}`;
  const out: DataPath[] = [];
  if (w.source === 'kubernetes')
    for (const v of d.stage.volumes) {
      const dir = directoryOf(v.value, false);
      if (dir) out.push({ path: dir, origin: 'dockerfile', severity: 'error', reason: `VOLUME in ${line(v.at)}`, at });
    }
  for (const e of d.stage.env) {
    if (c.env.some((x) => x.name === e.name)) continue;
    const cls = classifyEnvName(e.name);
    const dir = cls !== undefined ? directoryOf(e.value) : undefined;
    if (dir && cls === 'data')
      out.push({
        path: dir,
        origin: 'dockerfile',
        severity: 'error',
        reason: `env ${e.name} set in ${line(e.at)}`,
        at,
      });
    out.push(...sqlitePathsIn(e.value, at, `env ${e.name} set in ${line(e.at)}`));
  }
  // SQLAlchemy's relative form (`sqlite:///app.db`) is a file in the working directory: WORKDIR says which.
  const relative = (value: string, where: string, vat: Anchor): void => {
    for (const m of value.matchAll(RELATIVE_SQLITE_URL_RE)) {
      const file = normalizePosixPath(`${d.stage.workdir}/${m[1] as string}`);
      out.push({
        path: dirOf(file),
        origin: 'sqlite',
        severity: 'error',
        reason: `SQLite file ${file} in ${where} (relative to WORKDIR ${d.stage.workdir} of ${d.dockerfile.file})`,
        sqliteFile: file,
        at: vat,
      });
    }
  };
  for (const e of c.env) if (e.value !== undefined) relative(e.value, `env ${e.name}`, childAnchor(e.at, 'value'));
  for (const e of d.stage.env)
    if (!c.env.some((x) => x.name === e.name)) relative(e.value, `env ${e.name} set in ${line(e.at)}`, at);
  return out;
}

const RELATIVE_SQLITE_URL_RE = /\bsqlite(?:\+\w+)?:\/\/\/(?!\/)([\w.-]+\.(?:db|sqlite3?|db3))\b/gi;

interface AnnotationEntry {
  container?: string;
  path: string;
}

function parseAnnotation(value: string): AnnotationEntry[] {
  const out: AnnotationEntry[] = [];
  for (const raw of value.split(/[,\n]/)) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const container = eq > 0 ? item.slice(0, eq).trim() : undefined;
    const dir = directoryOf(eq > 0 ? item.slice(eq + 1) : item, false);
    if (dir) out.push({ container, path: dir });
  }
  return out;
}

function isAppContainer(c: ContainerModel): boolean {
  return c.role === 'container' || c.role === 'service';
}

function annotationPaths(w: WorkloadModel, containers: readonly ContainerModel[]): Map<ContainerModel, DataPath[]> {
  const out = new Map<ContainerModel, DataPath[]>();
  const ann = annotation(w, DATA_PATHS_ANNOTATION, COMPOSE_DATA_PATHS_LABEL);
  if (!ann) return out;
  const fromExtension = ann.at.kind === 'node' && ann.at.path.includes('x-persistguard');
  const reason =
    w.source === 'compose'
      ? fromExtension
        ? 'x-persistguard data-paths'
        : `label ${COMPOSE_DATA_PATHS_LABEL}`
      : `annotation ${DATA_PATHS_ANNOTATION}`;
  const add = (c: ContainerModel, p: string): void => {
    const list = out.get(c) ?? [];
    list.push({ path: p, origin: 'annotation', severity: 'error', reason, at: ann.at });
    out.set(c, list);
  };
  const apps = containers.filter(isAppContainer);
  for (const entry of parseAnnotation(ann.value)) {
    if (entry.container !== undefined) {
      const c = containers.find((x) => x.name === entry.container);
      if (c) add(c, entry.path);
      continue;
    }
    if (apps.length <= 1) {
      if (apps[0]) add(apps[0], entry.path);
      continue;
    }
    // Several app containers and no `container=` prefix: judge the containers that mount something at the
    // path (a sidecar that never touches it is not at fault); when none does, the first (main) container.
    const mounting = apps.filter((c) => deepestCoveringMount(c.mounts, entry.path) !== undefined);
    for (const c of mounting.length > 0 ? mounting : [apps[0] as ContainerModel]) add(c, entry.path);
  }
  return out;
}

const sqliteCache = new Map<string, ReturnType<typeof findSqliteReferences>>();

/** SQLite references in a value; values repeat across many workloads (same env in every Deployment). */
function sqliteRefs(text: string): ReturnType<typeof findSqliteReferences> {
  let refs = sqliteCache.get(text);
  if (!refs) {
    refs = findSqliteReferences(text);
    if (sqliteCache.size > 50_000) sqliteCache.clear();
    sqliteCache.set(text, refs);
  }
  return refs;
}

function sqlitePathsIn(text: string, at: Anchor, where: string): DataPath[] {
  return sqliteRefs(text).map((r) => ({
    path: dirOf(r.path),
    origin: 'sqlite' as const,
    severity: 'error' as const,
    reason: `SQLite file ${r.path} in ${where}`,
    sqliteFile: r.path,
    at,
  }));
}

/** The ConfigMaps a container reads: mounted as files, or taken whole with envFrom. */
function configMapsOf(w: WorkloadModel, c: ContainerModel, lookup: ResolveOptions['configMap']): ConfigMapModel[] {
  if (!lookup) return [];
  const ns = w.resource.namespace ?? 'default';
  const names = new Set<string>(c.envFromConfigMaps);
  for (const m of c.mounts) if (m.volume?.kind === 'configMap' && m.volume.source) names.add(m.volume.source);
  const out: ConfigMapModel[] = [];
  for (const n of names) {
    const cm = lookup(ns, n);
    if (cm) out.push(cm);
  }
  return out;
}

/** Every container of a workload with its deduplicated data paths. */
export function resolveContainers(w: WorkloadModel, opts: ResolveOptions): ContainerWithData[] {
  const cfg = opts.config;
  const entries = opts.catalog ?? catalog;
  const containers = w.containers.filter((c) => c.role !== 'ephemeralContainer');
  const fromAnnotation = annotationPaths(w, containers);
  return containers.map((c) => {
    const paths: DataPath[] = [...(fromAnnotation.get(c) ?? [])];
    for (const e of cfg.dataPaths) {
      if (configEntryMatches(e, w, c))
        paths.push(
          ...entryPaths(
            e,
            c,
            'config',
            `config dataPaths ${e.name ?? e.image ?? e.workload ?? e.service ?? e.container ?? ''}`.trim(),
          ),
        );
    }
    // Catalog paths describe a server's data dir. Init containers and Jobs/CronJobs run the same images
    // as clients (pg_dump, redis-cli, mc mirror) and exit: judging them by the server's data dir is noise.
    if (c.role !== 'initContainer' && !RUN_TO_COMPLETION.has(w.resource.kind) && c.image) {
      const entry = catalogEntryFor(c.image.value, entries);
      if (entry) paths.push(...entryPaths(entry, c, 'catalog', `catalog ${entry.name ?? entry.image}`));
    }
    for (const e of c.env) {
      if (e.value === undefined) continue;
      // Point at the value (`value: /app/data`), not the list item; compose scalars have no `value` child
      // and the locator then stops at the deepest node that exists, the scalar itself.
      const at = childAnchor(e.at, 'value');
      const cls = classifyEnvName(e.name);
      if (cls !== undefined) {
        const dir = directoryOf(e.value);
        const severity = cls === 'data' ? 'error' : cfg.cacheAndLogPaths;
        if (dir && severity !== 'off') paths.push({ path: dir, origin: 'env', severity, reason: `env ${e.name}`, at });
      }
      paths.push(...sqlitePathsIn(e.value, at, `env ${e.name}`));
    }
    for (const item of c.command) paths.push(...sqlitePathsIn(item.value, item.at, 'command'));
    for (const item of c.args) paths.push(...sqlitePathsIn(item.value, item.at, 'args'));
    if (c.role !== 'initContainer') paths.push(...dockerfilePaths(w, c, opts.dockerfile));
    for (const cm of configMapsOf(w, c, opts.configMap)) {
      for (const [key, v] of Object.entries(cm.data))
        paths.push(...sqlitePathsIn(v.value, v.at, `ConfigMap ${cm.name} key ${key}`));
    }
    return { container: c, dataPaths: dedupeDataPaths(paths) };
  });
}
