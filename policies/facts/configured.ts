/**
 * What a workload configures for itself, read before the catalog's defaults: the data directory moved by
 * an env var, a command-line flag or a key in a mounted config file; persistence switched off (a cache);
 * and whether the container is a server at all or only runs a client (`etcdctl`, `pg_dump`) and exits.
 *
 * Every function here is linear in the size of the container's command, args, env and config text, so a
 * hostile admission request cannot turn them into a stall.
 */
import type { Anchor, ConfigMapModel, ContainerModel, WorkloadModel } from '../model/model.js';
import { childAnchor } from '../model/model.js';
import type { CatalogEntry } from './catalog.js';
import { dirOf, normalizePosixPath } from './sqlite.js';

export interface Word {
  word: string;
  at: Anchor;
}

const ABS_PATH_RE = /^\/[^\s:;,*?"'`$]*$/;

/** Normalised absolute directory, or undefined when `value` is not a plain absolute path. */
export function absoluteDir(value: string): string | undefined {
  const v = value.trim();
  return ABS_PATH_RE.test(v) ? normalizePosixPath(v) : undefined;
}

function unquote(w: string): string {
  return w.replace(/^['"]|['"]$/g, '');
}

/**
 * Command and args split into words, each with the anchor of the item it came from (`sh -c "…"` too).
 * An empty item (`args: ["--save", ""]`) is kept as an empty word: for redis it means "no snapshots".
 */
export function commandWords(c: ContainerModel): Word[] {
  const out: Word[] = [];
  for (const list of [c.command, c.args]) {
    for (const item of list) {
      if (item.value.trim() === '') {
        out.push({ word: '', at: item.at });
        continue;
      }
      for (const w of item.value.split(/\s+/)) if (w !== '') out.push({ word: unquote(w), at: item.at });
    }
  }
  return out;
}

/** Values of the given flags (`--dir /data`, `--dir=/data`, `-path.data=/x`), in order. */
export function flagValues(ws: readonly Word[], flags: readonly string[]): Word[] {
  if (flags.length === 0) return [];
  const set = new Set(flags);
  const out: Word[] = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as Word;
    if (!w.word.startsWith('-')) continue;
    const eq = w.word.indexOf('=');
    if (eq > 0) {
      if (set.has(w.word.slice(0, eq))) out.push({ word: w.word.slice(eq + 1), at: w.at });
    } else if (set.has(w.word) && i + 1 < ws.length) {
      const next = ws[i + 1] as Word;
      out.push(next);
      i++;
    }
  }
  return out;
}

/** Directories following a subcommand up to the next flag (minio `server /d1 /d2 --console-address :9001`). */
export function subcommandDirs(ws: readonly Word[], sub: string): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < ws.length; i++) {
    if ((ws[i] as Word).word !== sub) continue;
    let j = i + 1;
    // Each word is visited once: the scan resumes after the run it consumed (a request repeating
    // `server /d` thousands of times stays linear).
    for (; j < ws.length; j++) {
      const a = ws[j] as Word;
      if (a.word.startsWith('-') || a.word === sub) break;
      if (absoluteDir(a.word)) out.push(a);
    }
    i = j - 1;
  }
  return out;
}

/** The ConfigMaps a container reads: mounted as files, or taken whole with envFrom. */
export function configMapsOf(
  w: WorkloadModel,
  c: ContainerModel,
  lookup: ((namespace: string, name: string) => ConfigMapModel | undefined) | undefined,
): ConfigMapModel[] {
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

const MAX_CONFIG_SCAN = 1 << 20;

/** Lines of mounted config files whose key is one of `keys`, with the value: `dir /data`, `path.data: /x`. */
export function configKeyValues(cms: readonly ConfigMapModel[], keys: readonly string[]): Word[] {
  if (keys.length === 0) return [];
  const set = new Set(keys);
  const out: Word[] = [];
  let budget = MAX_CONFIG_SCAN;
  for (const cm of cms) {
    for (const v of Object.values(cm.data)) {
      const text = v.value;
      if (text.length > budget) continue;
      budget -= text.length;
      for (const raw of text.split('\n')) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#')) continue;
        const m = /^([A-Za-z_][\w.-]*)\s*(?:[:=]\s*|\s+)(.*)$/.exec(line);
        if (!m || !set.has(m[1] as string)) continue;
        out.push({ word: unquote((m[2] as string).trim()), at: v.at });
      }
    }
  }
  return out;
}

/** The last definition of an env var: its value, or `unknown` when set from a value only known at run time. */
export function envDefinition(
  c: ContainerModel,
  name: string,
): { value: string; at: Anchor } | { unknown: true; prefix?: string; at: Anchor } | undefined {
  for (let i = c.env.length - 1; i >= 0; i--) {
    const e = c.env[i];
    if (!e || e.name !== name) continue;
    const at = childAnchor(e.at, 'value');
    if (e.value !== undefined) return { value: e.value, at };
    // `$(POD_NAME)` inside a path: the directory before the variable is still known (rabbitmq's
    // `…/mnesia/$(RABBITMQ_NODE_NAME)` lives in `…/mnesia`).
    const t = e.template;
    const cut = t?.indexOf('$(') ?? -1;
    if (t !== undefined && cut > 0) {
      const head = t.slice(0, cut);
      const dir = absoluteDir(head.endsWith('/') ? head : dirOf(head));
      if (dir) return { unknown: true, prefix: dir, at };
    }
    return { unknown: true, at };
  }
  return undefined;
}

export interface Relocation {
  paths: { path: string; at: Anchor; how: string }[];
  /** The workload sets the location from a value we cannot read (valueFrom): do not assume the default. */
  unknown?: boolean;
}

/** Where the workload itself puts the entry's data directory, or undefined when it keeps the default. */
export function relocatedDirs(
  e: CatalogEntry,
  c: ContainerModel,
  ws: readonly Word[],
  cms: readonly ConfigMapModel[],
): Relocation | undefined {
  // Command-line flags win over env vars, env vars over config files (the order redis, etcd, prometheus
  // and elasticsearch apply them).
  const fromFlags = flagValues(ws, e.dirFlags ?? []).flatMap((w) => {
    const dir = absoluteDir(w.word);
    return dir ? [{ path: dir, at: w.at, how: 'argument' }] : [];
  });
  if (fromFlags.length > 0) return { paths: [fromFlags[fromFlags.length - 1] as (typeof fromFlags)[number]] };
  if (e.dirSubcommand) {
    const dirs = subcommandDirs(ws, e.dirSubcommand).map((w) => ({
      path: absoluteDir(w.word) as string,
      at: w.at,
      how: `${e.dirSubcommand} argument`,
    }));
    if (dirs.length > 0) return { paths: dirs };
  }
  for (const name of [...(e.pathEnv ? [e.pathEnv] : []), ...(e.dirEnv ?? [])]) {
    const d = envDefinition(c, name);
    if (!d) continue;
    if ('value' in d) {
      const dir = absoluteDir(d.value);
      if (dir) return { paths: [{ path: dir, at: d.at, how: name }] };
      continue;
    }
    if (d.prefix) return { paths: [{ path: d.prefix, at: d.at, how: name }] };
    return { paths: [], unknown: true };
  }
  const fromConfig = configKeyValues(cms, e.dirConfigKeys ?? []).flatMap((w) => {
    const dir = absoluteDir(w.word);
    return dir ? [{ path: dir, at: w.at, how: 'config file' }] : [];
  });
  if (fromConfig.length > 0) {
    // Several files may set it (redis.conf and master.conf); they all name where this server writes.
    const seen = new Set<string>();
    return { paths: fromConfig.filter((p) => !seen.has(p.path) && seen.add(p.path) !== undefined) };
  }
  return undefined;
}

const YES = new Set(['yes', 'true', '1', 'on']);

/**
 * The text of the script a container starts, when it comes from a mounted ConfigMap
 * (`/bin/bash /opt/bitnami/scripts/start-scripts/start-replica.sh`, the key `start-replica.sh`).
 */
export function startScriptText(c: ContainerModel, cms: readonly ConfigMapModel[]): string | undefined {
  const script = [...c.command, ...c.args]
    .slice(0, 3)
    .map((x) => x.value.trim())
    .find((v) => v.startsWith('/') && !/\s/.test(v) && !SHELLS.has(base(v)));
  if (!script) return undefined;
  for (const m of c.mounts) {
    if (m.volume?.kind !== 'configMap' || !m.volume.source) continue;
    const dir = normalizePosixPath(m.mountPath);
    if (!script.startsWith(`${dir}/`)) continue;
    const cm = cms.find((x) => x.name === m.volume?.source);
    const text = cm?.data[script.slice(dir.length + 1)]?.value;
    if (text !== undefined) return text;
  }
  return undefined;
}

/**
 * A redis-family replica (`replicaof`/`slaveof` on the command line, in its config or in the start script it
 * runs) holds a copy it resyncs from its primary: losing it loses nothing unique.
 */
export function redisReplica(ws: readonly Word[], cms: readonly ConfigMapModel[], script: string | undefined): boolean {
  if (flagValues(ws, ['--replicaof', '--slaveof']).length > 0) return true;
  if (configKeyValues(cms, ['replicaof', 'slaveof']).length > 0) return true;
  return script !== undefined && /--(?:replicaof|slaveof)\b/.test(script);
}

/**
 * Redis-family persistence: off when snapshots are disabled (`save ""`) and AOF is not on. Config files
 * first, then the command line (which overrides them), as redis-server reads them.
 */
export function redisPersistenceOff(
  e: CatalogEntry,
  c: ContainerModel,
  ws: readonly Word[],
  cms: readonly ConfigMapModel[],
): boolean {
  const bitnami = (e.name ?? '').startsWith('bitnami-');
  // Bitnami's own config enables AOF; its env switches turn either mechanism off.
  let aof = bitnami;
  let snapshotsOff = false;
  if (bitnami) {
    const aofEnv = envDefinition(c, 'REDIS_AOF_ENABLED') ?? envDefinition(c, 'VALKEY_AOF_ENABLED');
    if (aofEnv && 'value' in aofEnv) aof = YES.has(aofEnv.value.toLowerCase());
    const rdbOff = envDefinition(c, 'REDIS_RDB_POLICY_DISABLED') ?? envDefinition(c, 'VALKEY_RDB_POLICY_DISABLED');
    if (rdbOff && 'value' in rdbOff) snapshotsOff = YES.has(rdbOff.value.toLowerCase());
  }
  for (const w of configKeyValues(cms, ['save'])) snapshotsOff = w.word === '' || w.word === '""';
  for (const w of configKeyValues(cms, ['appendonly'])) aof = YES.has(w.word.toLowerCase());
  for (const w of flagValues(ws, ['--save'])) snapshotsOff = w.word === '' || w.word === '""' || w.word === "''";
  for (const w of flagValues(ws, ['--appendonly'])) aof = YES.has(w.word.toLowerCase());
  return snapshotsOff && !aof;
}

/** Tools that talk to a server and exit: a container running one of them is not the server. */
const CLIENT_TOOLS = new Set([
  'etcdctl',
  'etcdutl',
  'pg_dump',
  'pg_dumpall',
  'pg_restore',
  'pg_isready',
  'psql',
  'redis-cli',
  'valkey-cli',
  'keydb-cli',
  'mysqldump',
  'mysql',
  'mysqladmin',
  'mysqlcheck',
  'mariadb',
  'mariadb-dump',
  'mariadb-admin',
  'mongodump',
  'mongorestore',
  'mongoexport',
  'mongoimport',
  'mongosh',
  'mongo',
  'mc',
  'cqlsh',
  'nodetool',
  'rabbitmqadmin',
  'rabbitmqctl',
  'influx',
  'clickhouse-client',
  'curl',
  'wget',
  'kubectl',
]);

/** Programs that are the server: a script that starts one is a server even if it also runs a client. */
const SERVER_HINTS = [
  'redis-server',
  'valkey-server',
  'postgres',
  'postgresql',
  'mysqld',
  'mariadbd',
  'mongod',
  'etcd',
  'minio',
  'rabbitmq-server',
  'docker-entrypoint.sh',
  'run.sh',
  'entrypoint.sh',
];

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
const PREFIX_WORDS = new Set(['exec', 'env', 'time', 'nice', 'nohup', 'timeout', 'set', 'tini', '--']);
// Shell grammar around commands: `while true; do redis-cli ping; sleep 5; done` runs true, redis-cli, sleep.
const SHELL_KEYWORDS = new Set(['while', 'until', 'if', 'then', 'else', 'elif', 'do', '!', '{', '}']);
const SHELL_ENDS = new Set(['done', 'fi', 'esac']);

function base(w: string): string {
  return w.slice(w.lastIndexOf('/') + 1);
}

/** The programs a command runs: its first word, or the first word of each statement of `sh -c "…"`. */
function programs(c: ContainerModel): string[] {
  const items = [...c.command, ...c.args].map((x) => x.value);
  const first = items[0]?.trim().split(/\s+/)[0];
  if (first === undefined) return [];
  if (!SHELLS.has(base(first))) return [base(first)];
  const dashC = items.findIndex((x) => /^-\w*c$/.test(x.trim()));
  const script = dashC >= 0 ? items.slice(dashC + 1).join(' ') : items.slice(1).join(' ');
  const out: string[] = [];
  for (const stmt of script.split(/[;&|\n()]+/)) {
    const ws = stmt.trim().split(/\s+/);
    let i = 0;
    while (
      i < ws.length &&
      (PREFIX_WORDS.has(ws[i] as string) || SHELL_KEYWORDS.has(ws[i] as string) || /^-|^\w+=/.test(ws[i] as string))
    )
      i++;
    const w = ws[i];
    if (w && !SHELL_ENDS.has(w)) out.push(base(w));
    if (out.length > 200) break;
  }
  return out;
}

const RUN_TO_COMPLETION = new Set(['Job', 'CronJob']);

/**
 * Whether the container runs the image's server. Init containers, Jobs/CronJobs, Helm hooks and commands
 * that only run a client (`etcdctl snapshot save`, `pg_dump … > /dev/stdout`) exit: they have no data dir.
 */
export function runsServer(w: WorkloadModel, c: ContainerModel): boolean {
  if (c.role === 'initContainer' || c.role === 'ephemeralContainer') return false;
  if (RUN_TO_COMPLETION.has(w.resource.kind)) return false;
  if (w.annotations['helm.sh/hook'] !== undefined) return false;
  const progs = programs(c);
  if (progs.length === 0) return true;
  if (progs.some((p) => SERVER_HINTS.includes(p))) return true;
  return !progs.some((p) => CLIENT_TOOLS.has(p));
}
