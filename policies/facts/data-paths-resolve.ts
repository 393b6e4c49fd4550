/**
 * Declared data paths per container, in the issue's order of precedence: annotation, config `dataPaths`,
 * the built-in catalog (after what the workload configures for itself), env vars named like
 * data/state/cache/log directories, and SQLite files.
 *
 * Linear in the size of the workload: no `push(...list)` (a RangeError on long lists), no nested scans
 * of commands, env or paths — an admission request at Kubernetes' size limits stays cheap.
 */
import { matchesGlob } from './glob.js';
import type { ResolvedConfig, DataPathEntry } from '../config/types.js';
import type { DataPath, DataPathOrigin } from './data-paths.js';
import type { Severity } from '../model/findings.js';
import type { Anchor, ConfigMapModel, ContainerModel, Located, WorkloadModel } from '../model/model.js';
import { appendAll, childAnchor } from '../model/model.js';
import { imageMatches } from './image-match.js';
import type { DockerfileLookup } from './dockerfiles.js';
import { deepestCoveringMount, durabilityOf, isUnder } from './mounts.js';
import type { ContainerWithData } from '../rules/rule.js';
import { dirOf, findSqliteReferences, normalizePosixPath } from './sqlite.js';
import { catalog as builtinCatalog, catalogLookup, wellKnownDataDir, type CatalogEntry } from './catalog.js';
import {
  commandWords,
  configMapsOf,
  envDefinition,
  flagValues,
  redisPersistenceOff,
  redisReplica,
  startScriptText,
  relocatedDirs,
  runsServer,
  subcommandDirs,
  type Word,
} from './configured.js';

export { catalogEntryFor } from './catalog.js';

export const DATA_PATHS_ANNOTATION = 'persistguard.io/data-paths';
export const COMPOSE_DATA_PATHS_LABEL = 'io.persistguard.data-paths';

/** The built-in catalog (config-shaped entries with catalog-only knowledge, validated in tests). */
export const catalog: readonly CatalogEntry[] = builtinCatalog;

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
/**
 * Names that usually, but not always, hold data (`*_DATADIR`, `*_UPLOAD_DIR`): judged at warning severity,
 * so an unknown image with persistence switched off still gets a word instead of nothing.
 */
const LIKELY_DATA_ENV_EXACT = new Set(['DATA_FOLDER', 'DATA_ROOT', 'DATADIR', 'UPLOAD_DIR', 'STORAGE_DIR']);
const LIKELY_DATA_ENV_SUFFIX = [
  '_DATADIR',
  '_DATA_FOLDER',
  '_DATA_ROOT',
  '_DATA_DIRECTORY',
  '_DB_DIR',
  '_DATABASE_DIR',
  '_STORAGE_DIR',
  '_UPLOAD_DIR',
  '_UPLOADS_DIR',
];
const CACHE_LOG_ENV_EXACT = new Set(['CACHE_DIR', 'LOG_DIR', 'LOG_PATH']);
const CACHE_LOG_ENV_SUFFIX = ['_CACHE_DIR', '_CACHE_PATH', '_LOG_DIR'];

export type EnvPathClass = 'data' | 'likelyData' | 'cacheOrLog' | undefined;

/** Whether an env var name declares a data directory, probably one, a cache/log directory, or neither. */
export function classifyEnvName(name: string): EnvPathClass {
  const n = name.toUpperCase();
  if (DATA_ENV_EXACT.has(n) || DATA_ENV_SUFFIX.some((s) => n.endsWith(s))) return 'data';
  if (LIKELY_DATA_ENV_EXACT.has(n) || LIKELY_DATA_ENV_SUFFIX.some((s) => n.endsWith(s))) return 'likelyData';
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
  volume: 5,
  dockerfile: 6,
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
    keep.alternatives = prev.alternatives ?? p.alternatives;
    byPath.set(p.path, keep);
  }
  return [...byPath.values()];
}

function globMatch(pattern: string, value: string | undefined): boolean {
  return matchesGlob(pattern, value ?? '');
}

function annotation(w: WorkloadModel, ...keys: string[]): Located<string> | undefined {
  for (const k of keys) {
    const a = w.annotations[k];
    if (a) return a;
  }
  return undefined;
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

/** Paths from a config `dataPaths` entry: `pathEnv` when set, else the listed paths. */
function configEntryPaths(e: DataPathEntry, c: ContainerModel, reason: string): DataPath[] {
  const fallbackAt = c.image?.at ?? c.at;
  if (e.pathEnv) {
    const v = envDefinition(c, e.pathEnv);
    const dir = v && 'value' in v ? directoryOf(v.value, false) : undefined;
    if (dir && v)
      return [{ path: dir, origin: 'config', severity: 'error', reason: `${reason} (${e.pathEnv})`, at: v.at }];
  }
  return e.paths.flatMap((p) => {
    const dir = directoryOf(p, false);
    return dir ? [{ path: dir, origin: 'config' as const, severity: 'error' as const, reason, at: fallbackAt }] : [];
  });
}

/** `NAME` is set (to anything), or `NAME=value` is set to exactly that value (case-insensitive). */
function envMatches(c: ContainerModel, spec: string): boolean {
  const eq = spec.indexOf('=');
  const d = envDefinition(c, eq < 0 ? spec : spec.slice(0, eq));
  if (!d) return false;
  if (eq < 0) return true;
  return 'value' in d && d.value.trim().toLowerCase() === spec.slice(eq + 1).toLowerCase();
}

interface CatalogContext {
  entry: CatalogEntry;
  tagKnown: boolean;
  words: Word[];
  configMaps: ConfigMapModel[];
  /** The container reads a ConfigMap we cannot see (the webhook, or a scan of one file): it may move the data. */
  configUnknown: boolean;
}

/** Whether a ConfigMap the container mounts or takes with envFrom is missing from the lookup. */
function readsUnknownConfig(c: ContainerModel, found: readonly ConfigMapModel[]): boolean {
  const names = new Set(found.map((cm) => cm.name));
  if (c.envFromConfigMaps.some((n) => !names.has(n))) return true;
  return c.mounts.some((m) => m.volume?.kind === 'configMap' && m.volume.source && !names.has(m.volume.source));
}

/**
 * The catalog's data paths for a server container, after what the workload configures: a relocated data
 * directory (flag, env var, mounted config file) replaces the default; persistence switched off (a cache)
 * or a location set from a value we cannot read (valueFrom) means there is nothing to judge.
 */
function catalogPaths(cc: CatalogContext, c: ContainerModel): DataPath[] {
  const { entry: e } = cc;
  const reason = `catalog ${e.name ?? e.image}`;
  if (e.persistence === 'redis') {
    if (redisPersistenceOff(e, c, cc.words, cc.configMaps)) return [];
    if (redisReplica(cc.words, cc.configMaps, startScriptText(c, cc.configMaps))) return [];
  }
  if (e.noDataWhenEnv?.some((spec) => envMatches(c, spec))) return [];
  if (e.dataRoles) {
    const roles = envDefinition(c, e.dataRoles.env);
    if (roles && 'value' in roles) {
      const given = roles.value.split(/[\s,]+/).filter((r) => r !== '');
      if (!given.some((r) => e.dataRoles?.roles.includes(r))) return [];
    }
  }
  const moved = relocatedDirs(e, c, cc.words, cc.configMaps);
  if (moved?.unknown) return [];
  if (moved && moved.paths.length > 0)
    return moved.paths.map((p) => ({
      path: p.path,
      origin: 'catalog' as const,
      severity: 'error' as const,
      reason: `${reason} (${p.how})`,
      at: p.at,
    }));
  const at = c.image?.at ?? c.at;
  const older = cc.tagKnown ? undefined : e.olderLayouts;
  return e.paths.flatMap((p) => {
    const dir = directoryOf(p, false);
    if (!dir) return [];
    const dp: DataPath = {
      path: dir,
      origin: 'catalog',
      severity: 'error',
      reason: cc.tagKnown ? reason : `${reason}, version unknown: judged by the newest layout`,
      at,
    };
    // A config file we cannot read may move the data dir (Bitnami redis' `dir /data` in a ConfigMap the
    // webhook never sees): a persistent volume the container mounts is then taken as where it points.
    if (cc.configUnknown && (e.dirConfigKeys || e.dirEnv || e.pathEnv)) {
      const persistentMounts = c.mounts
        .filter((m) => m.volume && durabilityOf(m.volume.kind) === 'persistent')
        .map((m) => normalizePosixPath(m.mountPath));
      if (persistentMounts.length > 0) dp.alternatives = [...(dp.alternatives ?? []), ...persistentMounts];
    }
    if (older && older.length > 0) {
      // Version unknown: when something is mounted at an older layout's path and nothing at the newest,
      // the workload was written for the older one; judge that path (the newest stays an alternative).
      const mountedOlder = deepestCoveringMount(c.mounts, dir)
        ? undefined
        : older.find((o) => deepestCoveringMount(c.mounts, o));
      if (mountedOlder) {
        dp.path = mountedOlder;
        dp.reason = `${reason}, version unknown: the older layout this workload mounts`;
        dp.alternatives = [...(dp.alternatives ?? []), dir, ...older.filter((o) => o !== mountedOlder)];
        return [dp];
      }
      dp.alternatives = [...(dp.alternatives ?? []), ...older];
    }
    // postgres 18 with a volume at the ≤ 17 path: say why that mount does not count.
    const stale = cc.tagKnown
      ? e.olderLayouts?.find((o) => c.mounts.some((m) => normalizePosixPath(m.mountPath) === o))
      : undefined;
    if (stale) dp.reason = `${reason}; the volume at ${stale} is the older layout's and holds nothing`;
    const volume = e.volumes?.find((v) => v !== dir && isUnder(dir, v));
    if (volume) dp.mountHint = volume;
    return [dp];
  });
}

/** Env vars that only configure the catalog image's server (`ETCD_DATA_DIR`): meaningless in a client. */
function serverOnlyEnv(e: CatalogEntry | undefined): Set<string> {
  return new Set([...(e?.pathEnv ? [e.pathEnv] : []), ...(e?.dirEnv ?? [])]);
}

/** For tests and tools: the flags/subcommand the catalog reads for an entry name. */
export function argPaths(
  c: ContainerModel,
  spec: { flag?: string; subcommand?: string },
): { path: string; at: Anchor }[] {
  const ws = commandWords(c);
  const out: { path: string; at: Anchor }[] = [];
  if (spec.flag)
    for (const w of flagValues(ws, [spec.flag])) {
      const dir = directoryOf(w.word, false);
      if (dir) out.push({ path: dir, at: w.at });
    }
  if (spec.subcommand)
    for (const w of subcommandDirs(ws, spec.subcommand)) {
      const dir = directoryOf(w.word, false);
      if (dir) out.push({ path: dir, at: w.at });
    }
  return out;
}

export interface ResolveOptions {
  config: ResolvedConfig;
  /** ConfigMaps of the scan (or the cluster), by namespace and name, for SQLite URLs in mounted config. */
  configMap?: (namespace: string, name: string) => ConfigMapModel | undefined;
  /** Defaults to the built-in catalog. */
  catalog?: readonly CatalogEntry[];
  /** The repository's Dockerfile that builds a container's image, when one is known. */
  dockerfile?: DockerfileLookup;
}

/**
 * A VOLUME at a temp dir declares scratch space, not data: `VOLUME /tmp` is the Spring Boot guide's (Tomcat's work
 * files), and calling it a data directory would be false.
 */
function isTempDir(dir: string, tempDirs: readonly string[]): boolean {
  return tempDirs.some((t) => isUnder(dir, normalizePosixPath(t)));
}

/**
 * Data paths the image's own Dockerfile declares: `VOLUME` directories (Kubernetes ignores VOLUME, so the
 * data lands in the container filesystem; Docker gives compose an anonymous volume, judged elsewhere) and
 * `ENV` defaults the container does not override. Anchored at the container's image, named by the line.
 */
function dockerfilePaths(
  w: WorkloadModel,
  c: ContainerModel,
  lookup: DockerfileLookup | undefined,
  tempDirs: readonly string[],
): DataPath[] {
  const d = lookup?.(c);
  if (!d) return [];
  const at = c.image?.at ?? c.at;
  const line = (a: Anchor): string => `${d.dockerfile.file}${a.kind === 'pos' ? `:${a.line}` : ''}`;
  const out: DataPath[] = [];
  if (w.source === 'kubernetes')
    for (const v of d.stage.volumes) {
      const dir = directoryOf(v.value, false);
      if (dir && !isTempDir(dir, tempDirs))
        out.push({ path: dir, origin: 'dockerfile', severity: 'error', reason: `VOLUME in ${line(v.at)}`, at });
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

/** The image to look up in the catalog: as written, or its template when it depends on a variable. */
function imageForCatalog(c: ContainerModel): string | undefined {
  return c.image?.value ?? c.imageTemplate;
}

/**
 * An emptyDir (or other pod-scoped volume) mounted exactly at a directory the catalog knows as a data
 * directory (`/var/lib/postgresql/data`, `/var/lib/mysql`, `/bitnami/postgresql`…): derived images keep their
 * base's layout, so a custom image there is judged too (a warning: we cannot see its Dockerfile here).
 */
function wellKnownPaths(c: ContainerModel, known: boolean): DataPath[] {
  if (known) return [];
  const out: DataPath[] = [];
  for (const m of c.mounts) {
    if (!m.volume || durabilityOf(m.volume.kind) !== 'ephemeral') continue;
    if (m.volume.kind === 'configMap' || m.volume.kind === 'secret' || m.volume.kind === 'projected') continue;
    if (m.volume.kind === 'downwardAPI') continue;
    const path = normalizePosixPath(m.mountPath);
    const e = wellKnownDataDir(path);
    if (!e) continue;
    out.push({
      path,
      origin: 'catalog',
      severity: 'warning',
      reason: `the data directory of ${e.name ?? e.image} images; a custom image derived from it keeps it there`,
      at: m.at,
    });
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
    const paths: DataPath[] = [];
    appendAll(paths, fromAnnotation.get(c) ?? []);
    for (const e of cfg.dataPaths) {
      if (configEntryMatches(e, w, c))
        appendAll(
          paths,
          configEntryPaths(
            e,
            c,
            `config dataPaths ${e.name ?? e.image ?? e.workload ?? e.service ?? e.container ?? ''}`.trim(),
          ),
        );
    }
    const image = imageForCatalog(c);
    let hit = image !== undefined ? catalogLookup(image, entries) : undefined;
    // A service built FROM a catalog image keeps its base's data layout (and its VOLUMEs).
    let built = false;
    if (!hit && c.buildFrom) {
      hit = catalogLookup(c.buildFrom.value, entries);
      built = hit !== undefined;
    }
    const cms = configMapsOf(w, c, opts.configMap);
    // Catalog paths describe a server's data dir. Init containers, Jobs/CronJobs, Helm hooks and commands
    // that run a client (pg_dump, redis-cli, etcdctl) use the same images and exit: no data dir there, and
    // the image's own location variables (ETCD_DATA_DIR) are not a declaration either.
    const server = runsServer(w, c);
    if (server && hit) {
      const fromCatalog = catalogPaths(
        { ...hit, words: commandWords(c), configMaps: cms, configUnknown: readsUnknownConfig(c, cms) },
        c,
      );
      if (built && c.buildFrom)
        for (const dp of fromCatalog) dp.reason = `${dp.reason}, built FROM ${c.buildFrom.value}`;
      appendAll(paths, fromCatalog);
    }
    if (server) appendAll(paths, wellKnownPaths(c, hit !== undefined));
    // An image missing from the catalog still says where its data goes: the VOLUMEs of the Dockerfile it is
    // built from (a warning: a VOLUME may also hold a cache), but not one at a temp dir.
    if (server && !hit && c.buildFrom)
      for (const v of c.buildVolumes ?? []) {
        const path = normalizePosixPath(v);
        if (isTempDir(path, cfg.tempDirs)) continue;
        paths.push({
          path,
          origin: 'volume',
          severity: 'warning',
          reason: 'VOLUME in the Dockerfile it is built from',
          at: c.buildFrom.at,
        });
      }
    const ignoredEnv = server ? undefined : serverOnlyEnv(hit?.entry);
    for (const e of c.env) {
      if (e.value === undefined) continue;
      // Point at the value (`value: /app/data`), not the list item; compose scalars have no `value` child
      // and the locator then stops at the deepest node that exists, the scalar itself.
      const at = childAnchor(e.at, 'value');
      const cls = ignoredEnv?.has(e.name) ? undefined : classifyEnvName(e.name);
      if (cls !== undefined) {
        const dir = directoryOf(e.value);
        const severity = cls === 'data' ? 'error' : cls === 'likelyData' ? 'warning' : cfg.cacheAndLogPaths;
        if (dir && severity !== 'off') paths.push({ path: dir, origin: 'env', severity, reason: `env ${e.name}`, at });
      }
      appendAll(paths, sqlitePathsIn(e.value, at, `env ${e.name}`));
    }
    for (const item of c.command) appendAll(paths, sqlitePathsIn(item.value, item.at, 'command'));
    for (const item of c.args) appendAll(paths, sqlitePathsIn(item.value, item.at, 'args'));
    if (c.role !== 'initContainer') appendAll(paths, dockerfilePaths(w, c, opts.dockerfile, cfg.tempDirs));
    for (const cm of cms) {
      for (const [key, v] of Object.entries(cm.data))
        appendAll(paths, sqlitePathsIn(v.value, v.at, `ConfigMap ${cm.name} key ${key}`));
    }
    const out: ContainerWithData = { container: c, dataPaths: dedupeDataPaths(paths) };
    // Compose honours the image's VOLUME list (Kubernetes ignores it): an anonymous volume appears at
    // each VOLUME directory that nothing is mounted at.
    if (w.source === 'compose') {
      const volumes = [...(hit?.entry.volumes ?? []), ...(c.buildVolumes ?? [])];
      if (volumes.length > 0) out.imageVolumes = volumes;
    }
    return out;
  });
}
