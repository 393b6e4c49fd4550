/** docker-compose files → the workload model: one workload with one `service` container per service. */
import type {
  Anchor,
  ContainerModel,
  DocRef,
  EnvModel,
  Located,
  MountModel,
  PathSegment,
  Project,
  VolumeModel,
  WorkloadModel,
} from '../../model/model.js';
import { interpolate, shellSplit } from './interpolate.js';
import { parseDotenv } from './dotenv.js';
import { buildBase } from './build-base.js';
import path from 'node:path';
import { asArray, asObj, int, isObj, nodeAnchor, scalarString, str, type Obj } from '../values.js';

const SERVICE_KEYS = [
  'image',
  'build',
  'volumes',
  'environment',
  'env_file',
  'command',
  'entrypoint',
  'ports',
  'depends_on',
  'restart',
  'networks',
  'labels',
  'deploy',
  'healthcheck',
  'container_name',
  'expose',
  'tmpfs',
  'working_dir',
  'user',
  'profiles',
  'extends',
];

/** A YAML document whose top-level `services` is a mapping of things that look like compose services. */
export function isComposeDocument(v: unknown): boolean {
  if (!isObj(v) || !isObj(v.services)) return false;
  if (typeof v.apiVersion === 'string' && typeof v.kind === 'string') return false;
  const services = Object.values(v.services);
  if (services.length === 0 || !services.every((s) => s === null || isObj(s))) return false;
  // Helm values files often have `services:` too; there `image` is a mapping ({repository, tag}) and
  // `volumes`/`environment` rarely have compose shapes. A compose image is a string.
  if (services.some((s) => isObj(s) && s.image !== undefined && typeof s.image !== 'string')) return false;
  if (services.some((s) => isObj(s) && s.volumes !== undefined && s.volumes !== null && !Array.isArray(s.volumes)))
    return false;
  return services.some((s) => isObj(s) && SERVICE_KEYS.some((k) => k in s));
}

/** Compose's project-name normalisation (lowercase; only a-z, 0-9, `_` and `-`). */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

export interface ComposeOptions {
  /** Compose project name when the file has no top-level `name:` (compose uses the folder name). */
  folderName?: string;
  /**
   * Reads a file relative to the compose file's folder (`.env`, `env_file:` entries), or undefined when it
   * does not exist or cannot be read. Absent for stdin and admission objects.
   */
  readCompanion?: (relativePath: string) => string | undefined;
}

interface Ctx {
  doc: DocRef;
  file: string;
  project: Project;
  topVolumes: Obj;
  readCompanion: ComposeOptions['readCompanion'];
}

const at = (ctx: Ctx, path: PathSegment[]): Anchor => nodeAnchor(ctx.doc, path);

/**
 * Variables for interpolation: the `.env` file next to the compose file, as Compose reads it (the shell
 * environment, which would win, is unknown here). Set for the duration of one synchronous load.
 */
let dotenv: Readonly<Record<string, string>> = {};

function interp(s: string): string | undefined {
  return interpolate(s, dotenv);
}

/** Interpolates a scalar; undefined when it is not a scalar or depends on an unset variable. */
function text(v: unknown): string | undefined {
  const s = scalarString(v);
  return s === undefined ? undefined : interp(s);
}

export function loadComposeValue(value: unknown, doc: DocRef, project: Project, opts: ComposeOptions = {}): void {
  const root = asObj(value);
  const services = asObj(root?.services);
  if (!root || !services) return;
  const envText = opts.readCompanion?.('.env');
  dotenv = envText !== undefined ? parseDotenv(envText) : {};
  try {
    loadRoot(root, services, doc, project, opts);
  } finally {
    dotenv = {};
  }
}

function loadRoot(root: Obj, services: Obj, doc: DocRef, project: Project, opts: ComposeOptions): void {
  const named = text(root.name);
  const projectName = normalizeProjectName(named ?? opts.folderName ?? '');
  const ctx: Ctx = {
    doc,
    file: doc.file,
    project,
    topVolumes: asObj(root.volumes) ?? {},
    readCompanion: opts.readCompanion,
  };
  let unread = false;
  for (const [service, def] of Object.entries(services)) {
    const svc = asObj(def);
    if (!svc) continue;
    if (!loadService(ctx, service, svc, projectName)) unread = true;
  }
  if (unread) {
    project.notes.push({
      file: doc.file,
      message: 'env_file contents could not be read: variables set only there count as unknown',
    });
  }
}

/** The Dockerfile a `build:` section uses (`build: ./dir`, `{context, dockerfile}`, `dockerfile_inline`). */
function dockerfileOf(build: unknown, read: ComposeOptions['readCompanion']): string | undefined {
  if (typeof build === 'string') return read?.(path.posix.join(text(build) ?? '.', 'Dockerfile'));
  const b = asObj(build);
  if (!b) return undefined;
  const inline = text(b.dockerfile_inline);
  if (inline !== undefined) return inline;
  const context = text(b.context) ?? '.';
  const file = text(b.dockerfile) ?? 'Dockerfile';
  return read?.(file.startsWith('/') ? file : path.posix.join(context, file));
}

/** `env_file:` entries (a string, a list of strings, or `{path, required}` items) with their paths. */
function envFiles(svc: Obj, base: PathSegment[]): { file: string; path: PathSegment[] }[] {
  const v = svc.env_file;
  if (typeof v === 'string') return [{ file: v, path: [...base, 'env_file'] }];
  return asArray(v).flatMap((item, i) => {
    const file = typeof item === 'string' ? item : str(asObj(item)?.path);
    return file !== undefined ? [{ file, path: [...base, 'env_file', i] }] : [];
  });
}

/** Loads one service; false when it names an env_file that could not be read. */
function loadService(ctx: Ctx, service: string, svc: Obj, projectName: string): boolean {
  const base: PathSegment[] = ['services', service];
  const { volumes, mounts } = serviceStorage(ctx, base, svc);
  const { env, envFilesRead } = serviceEnv(ctx, base, svc);
  const image = text(svc.image);
  const container: ContainerModel = {
    name: service,
    role: 'service',
    ...(image !== undefined ? { image: { value: image, at: at(ctx, [...base, 'image']) } } : {}),
    // `postgres:${PG_VERSION}` with no default: the repository is still known to the catalog.
    ...(image === undefined && typeof svc.image === 'string' ? { imageTemplate: svc.image } : {}),
    ...(text(svc.pull_policy) !== undefined
      ? { imagePullPolicy: { value: text(svc.pull_policy) as string, at: at(ctx, [...base, 'pull_policy']) } }
      : {}),
    env,
    // Compose `entrypoint` is the Kubernetes `command`, compose `command` the Kubernetes `args`.
    command: serviceWords(ctx, base, svc, 'entrypoint'),
    args: serviceWords(ctx, base, svc, 'command'),
    mounts,
    envFromConfigMaps: [],
    at: at(ctx, base),
  };
  const { replicas, replicasAt, perNode } = serviceReplicas(ctx, base, svc);
  const workload: WorkloadModel = {
    source: 'compose',
    resource: { kind: 'ComposeService', name: service },
    at: at(ctx, base),
    file: ctx.file,
    replicas,
    ...(replicasAt ? { replicasAt } : {}),
    perNode,
    annotations: serviceAnnotations(ctx, base, svc),
    volumes,
    claimTemplates: [],
    containers: [container],
    ownerKinds: [],
    ...(projectName ? { composeProject: projectName } : {}),
  };
  recordBuild(ctx, base, svc, container, projectName);
  ctx.project.workloads.push(workload);
  return envFilesRead;
}

/** Labels (list or mapping) and `x-persistguard` keys, as the annotations a Kubernetes workload would carry. */
function serviceAnnotations(ctx: Ctx, base: PathSegment[], svc: Obj): Record<string, Located<string>> {
  const annotations: Record<string, Located<string>> = {};
  const labels = svc.labels;
  if (Array.isArray(labels)) {
    labels.forEach((l, i) => {
      const s = text(l);
      if (s === undefined) return;
      const eq = s.indexOf('=');
      annotations[eq < 0 ? s : s.slice(0, eq)] = {
        value: eq < 0 ? '' : s.slice(eq + 1),
        at: at(ctx, [...base, 'labels', i]),
      };
    });
  } else if (isObj(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      const s = v === null ? '' : text(v);
      if (s !== undefined) annotations[k] = { value: s, at: at(ctx, [...base, 'labels', k]) };
    }
  }
  const ext = asObj(svc['x-persistguard']);
  if (ext) {
    const keys: [string, string][] = [
      ['data-paths', 'io.persistguard.data-paths'],
      ['ignore', 'io.persistguard.ignore'],
      ['ignore-reason', 'io.persistguard.ignore-reason'],
    ];
    for (const [k, annotation] of keys) {
      const v = ext[k];
      const s = Array.isArray(v)
        ? v.flatMap((x) => (text(x) !== undefined ? [text(x) as string] : [])).join(',')
        : text(v);
      if (s !== undefined) annotations[annotation] = { value: s, at: at(ctx, [...base, 'x-persistguard', k]) };
    }
  }
  return annotations;
}

/** `deploy.replicas`, else `scale`, else 1; `deploy.mode: global` runs one per node (no replica count). */
function serviceReplicas(
  ctx: Ctx,
  base: PathSegment[],
  svc: Obj,
): { replicas: number | undefined; replicasAt: Anchor | undefined; perNode: boolean } {
  const deploy = asObj(svc.deploy);
  const perNode = str(deploy?.mode) === 'global';
  let replicas: number | undefined = perNode ? undefined : 1;
  let replicasAt: Anchor | undefined;
  const r = int(typeof deploy?.replicas === 'string' ? text(deploy.replicas) : deploy?.replicas);
  const scale = int(typeof svc.scale === 'string' ? text(svc.scale) : svc.scale);
  if (!perNode && r !== undefined) {
    replicas = r;
    replicasAt = at(ctx, [...base, 'deploy', 'replicas']);
  } else if (!perNode && scale !== undefined) {
    replicas = scale;
    replicasAt = at(ctx, [...base, 'scale']);
  }
  return { replicas, replicasAt, perNode };
}

/** `volumes:` entries and `tmpfs:` mounts, with the volumes they use. */
function serviceStorage(ctx: Ctx, base: PathSegment[], svc: Obj): { volumes: VolumeModel[]; mounts: MountModel[] } {
  const volumes: VolumeModel[] = [];
  const mounts: MountModel[] = [];
  asArray(svc.volumes).forEach((v, i) => {
    const m = mountFrom(ctx, v, [...base, 'volumes', i]);
    if (m) {
      mounts.push(m);
      if (m.volume) volumes.push(m.volume);
    }
  });
  const tmpfs = svc.tmpfs;
  const tmpfsList =
    typeof tmpfs === 'string'
      ? [[tmpfs, [...base, 'tmpfs']] as const]
      : asArray(tmpfs).map((t, i) => [t, [...base, 'tmpfs', i]] as const);
  for (const [t, path] of tmpfsList) {
    const s = text(t);
    if (s === undefined) continue;
    const target = s.split(':')[0] ?? s;
    const volume: VolumeModel = { name: target, kind: 'composeTmpfs', at: at(ctx, [...path]) };
    volumes.push(volume);
    mounts.push({ mountPath: target, volume, readOnly: false, at: at(ctx, [...path]) });
  }
  return { volumes, mounts };
}

/**
 * `env_file:` contents, then `environment:` as a list (`NAME=value`, or `NAME` alone: taken from the shell)
 * or a mapping; `envFilesRead` is false when an env_file could not be read.
 */
function serviceEnv(ctx: Ctx, base: PathSegment[], svc: Obj): { env: EnvModel[]; envFilesRead: boolean } {
  const env: EnvModel[] = [];
  let envFilesRead = true;
  // env_file first: `environment:` entries come after them and win, as in Compose.
  for (const ef of envFiles(svc, base)) {
    const content = ctx.readCompanion?.(ef.file);
    if (content === undefined) {
      envFilesRead = false;
      continue;
    }
    for (const [name, value] of Object.entries(parseDotenv(content))) env.push({ name, value, at: at(ctx, ef.path) });
  }
  const environment = svc.environment;
  if (Array.isArray(environment)) {
    environment.forEach((e, i) => {
      const s = scalarString(e);
      if (s === undefined) return;
      const eq = s.indexOf('=');
      const name = eq < 0 ? s : s.slice(0, eq);
      const value = eq < 0 ? undefined : interp(s.slice(eq + 1));
      env.push({ name, ...(value !== undefined ? { value } : {}), at: at(ctx, [...base, 'environment', i]) });
    });
  } else if (isObj(environment)) {
    for (const [name, v] of Object.entries(environment)) {
      const value = v === null ? undefined : text(v);
      env.push({ name, ...(value !== undefined ? { value } : {}), at: at(ctx, [...base, 'environment', name]) });
    }
  }
  return { env, envFilesRead };
}

/** `command:` / `entrypoint:` as words: a string is split as the shell would, a list is taken as is. */
function serviceWords(ctx: Ctx, base: PathSegment[], svc: Obj, field: string): Located<string>[] {
  const v = svc[field];
  const p: PathSegment[] = [...base, field];
  if (typeof v === 'string') {
    const s = interp(v);
    return s === undefined ? [] : shellSplit(s).map((w) => ({ value: w, at: at(ctx, p) }));
  }
  return asArray(v).flatMap((x, i) => {
    const s = text(x);
    return s === undefined ? [] : [{ value: s, at: at(ctx, [...p, i]) }];
  });
}

/** A `build:` section: the image it produces (named, or compose's own `<project>-<service>`) is built here. */
function recordBuild(ctx: Ctx, base: PathSegment[], svc: Obj, container: ContainerModel, projectName: string): void {
  if (svc.build === undefined || svc.build === null) return;
  const service = container.name;
  const image = container.image?.value;
  const buildAt = at(ctx, [...base, 'build']);
  const dockerfilePath = buildDockerfile(svc.build);
  const built = image ?? (svc.image === undefined && projectName ? `${projectName}-${service}` : undefined);
  if (dockerfilePath !== undefined && built !== undefined)
    ctx.project.imageSources.push({ image: built, dockerfile: dockerfilePath, from: ctx.file, at: buildAt });
  const dockerfile = dockerfileOf(svc.build, ctx.readCompanion);
  if (dockerfile) {
    const b = buildBase(dockerfile);
    if (b.from) container.buildFrom = { value: b.from, at: buildAt };
    if (b.volumes.length > 0) container.buildVolumes = b.volumes;
  }
  if (image !== undefined) {
    container.builds = { value: image, at: buildAt };
    ctx.project.builds.push({ image, tool: 'compose', at: buildAt });
  } else if (svc.image === undefined && projectName) {
    // Compose v2 names the image `<project>-<service>`, v1 named it `<project>_<service>`.
    const v2 = `${projectName}-${service}`;
    container.builds = { value: v2, at: buildAt };
    ctx.project.builds.push(
      { image: v2, tool: 'compose', at: buildAt },
      { image: `${projectName}_${service}`, tool: 'compose', at: buildAt },
    );
  }
}

/** `build: ./api` or `build: { context: ./api, dockerfile: Dockerfile.prod }` → `./api/Dockerfile.prod`. */
function buildDockerfile(build: unknown): string | undefined {
  const s = text(build);
  if (s !== undefined) return `${s.replace(/\/+$/, '') || '.'}/Dockerfile`;
  const o = asObj(build);
  if (!o || o.dockerfile_inline !== undefined) return undefined;
  const context = (o.context === undefined ? '.' : text(o.context)) ?? undefined;
  if (context === undefined || /^[a-z]+:\/\//i.test(context) || context.startsWith('git@')) return undefined;
  const file = o.dockerfile === undefined ? 'Dockerfile' : text(o.dockerfile);
  if (file === undefined) return undefined;
  return file.startsWith('/') ? file : `${context.replace(/\/+$/, '') || '.'}/${file}`;
}

const MODES = new Set([
  'ro',
  'rw',
  'z',
  'Z',
  'cached',
  'delegated',
  'consistent',
  'nocopy',
  'shared',
  'slave',
  'private',
  'rshared',
  'rslave',
  'rprivate',
]);

function isPathSource(s: string): boolean {
  return s.startsWith('/') || s.startsWith('.') || s.startsWith('~') || /^[A-Za-z]:[\\/]/.test(s);
}

function namedVolume(ctx: Ctx, name: string, path: PathSegment[]): VolumeModel {
  const def = asObj(ctx.topVolumes[name]);
  const external =
    def !== undefined &&
    (def.external === true ||
      asObj(def.external) !== undefined ||
      def.driver !== undefined ||
      def.driver_opts !== undefined);
  const dockerName = def !== undefined ? (text(def.name) ?? text(asObj(def.external)?.name)) : undefined;
  return {
    name,
    kind: 'composeNamed',
    source: name,
    ...(external ? { external: true } : {}),
    ...(dockerName !== undefined ? { dockerName } : {}),
    at: at(ctx, path),
  };
}

function mountFrom(ctx: Ctx, v: unknown, path: PathSegment[]): MountModel | undefined {
  if (typeof v === 'string') {
    const s = interp(v);
    if (s === undefined) return unresolvedShort(ctx, v, path);
    const parts = splitShort(s);
    if (parts.length === 1) {
      const target = parts[0] as string;
      const volume: VolumeModel = { name: target, kind: 'composeAnonymous', at: at(ctx, path) };
      return { mountPath: target, volume, readOnly: false, at: at(ctx, path) };
    }
    const [src, target, mode] = parts as [string, string, string | undefined];
    const opts = (mode ?? '').split(',');
    const readOnly = opts.includes('ro');
    const volume: VolumeModel = isPathSource(src)
      ? { name: src, kind: 'composeBind', source: src, at: at(ctx, path) }
      : namedVolume(ctx, src, path);
    return {
      mountPath: target,
      volumeName: src,
      volume,
      readOnly,
      at: at(ctx, path),
      ...(readOnly ? { readOnlyAt: at(ctx, path) } : {}),
    };
  }
  const o = asObj(v);
  if (!o) return undefined;
  const target = text(o.target);
  if (target === undefined) return undefined;
  const type = text(o.type) ?? 'volume';
  const source = text(o.source);
  if (o.source !== undefined && source === undefined) {
    // The source depends on the user's environment: a mount is there, of a kind we cannot tell.
    const written = scalarString(o.source) ?? '?';
    return {
      mountPath: target,
      volumeName: written,
      volume: { name: written, kind: 'other', at: at(ctx, path) },
      readOnly: o.read_only === true,
      at: at(ctx, path),
    };
  }
  const readOnly = o.read_only === true || o.read_only === 'true';
  let volume: VolumeModel;
  if (type === 'bind')
    volume = {
      name: source ?? target,
      kind: 'composeBind',
      ...(source !== undefined ? { source } : {}),
      at: at(ctx, path),
    };
  else if (type === 'tmpfs') volume = { name: target, kind: 'composeTmpfs', at: at(ctx, path) };
  else if (type === 'volume')
    volume = source ? namedVolume(ctx, source, path) : { name: target, kind: 'composeAnonymous', at: at(ctx, path) };
  else
    volume = {
      name: source ?? target,
      kind: type === 'image' ? 'image' : 'other',
      ...(source !== undefined ? { source } : {}),
      at: at(ctx, path),
    };
  return {
    mountPath: target,
    ...(source !== undefined ? { volumeName: source } : {}),
    volume,
    readOnly,
    at: at(ctx, path),
    ...(readOnly ? { readOnlyAt: at(ctx, [...path, 'read_only']) } : {}),
  };
}

/** Splits on `:` outside `${…}` (whose `:-` / `:?` are not separators). */
function splitOutsideBraces(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '$' && s[i + 1] === '{') {
      depth++;
      cur += '${';
      i++;
      continue;
    }
    if (ch === '}' && depth > 0) depth--;
    if (ch === ':' && depth === 0) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  parts.push(cur);
  return parts;
}

/**
 * A short-syntax volume whose text depends on an unset variable. When only the source is unknown
 * (`${DATA_DIR}:/var/lib/app`), the mount is still there — a bind or a named volume chosen by the user's
 * environment — so it is kept with kind `other` (durability unknown, never a finding). An unknown target
 * cannot be placed, so that mount is left out.
 */
function unresolvedShort(ctx: Ctx, raw: string, path: PathSegment[]): MountModel | undefined {
  const parts = splitOutsideBraces(raw);
  if (parts.length < 2) return undefined;
  const target = interp(parts[1] as string);
  if (target === undefined || !target.startsWith('/')) return undefined;
  const mode = parts.length > 2 ? interp(parts.slice(2).join(':')) : '';
  const readOnly = (mode ?? '').split(',').includes('ro');
  const written = parts[0] as string;
  return {
    mountPath: target,
    volumeName: written,
    volume: { name: written, kind: 'other', at: at(ctx, path) },
    readOnly,
    at: at(ctx, path),
    ...(readOnly ? { readOnlyAt: at(ctx, path) } : {}),
  };
}

/** Splits `src:dst[:mode]`, keeping a Windows drive letter (`C:\data`) in the source. */
function splitShort(s: string): string[] {
  const parts = s.split(':');
  if (parts.length >= 2 && /^[A-Za-z]$/.test(parts[0] as string) && /^[\\/]/.test(parts[1] as string)) {
    parts.splice(0, 2, `${parts[0]}:${parts[1]}`);
  }
  if (parts.length > 3) return [parts[0] as string, parts[1] as string, parts.slice(2).join(':')];
  if (parts.length === 2 && MODES.has(parts[1] as string) && !(parts[1] as string).startsWith('/'))
    return [parts[0] as string];
  return parts;
}
