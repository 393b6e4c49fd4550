/**
 * The data paths of a workload whose storage changes identity between the base and the head of a change:
 * the head's containers start on storage that does not hold the data the running ones wrote.
 */
import type { DataPath } from '../facts/data-paths.js';
import { isUnder } from '../facts/mounts.js';
import type { ContainerModel, Project, WorkloadModel } from '../model/model.js';
import type { ContainerWithData } from '../rules/rule.js';
import { type ClaimLookup, type StorageAt, describeStorage, identity, isPersistent, storageAt } from './storage.js';
import type { WorkloadPair } from './match.js';

export const DATA_MIGRATED_ANNOTATION = 'persistguard.io/data-migrated';
export const COMPOSE_DATA_MIGRATED_LABEL = 'io.persistguard.data-migrated';

export type ChangeKind =
  /** From the container filesystem or a pod-lived volume onto persistent storage: it starts empty. */
  | 'fromEphemeral'
  /** From one persistent storage to another (claim renamed, template renamed, project renamed…). */
  | 'storageChanged'
  /** The same claim name with another storageClassName: the claim has to be deleted and recreated. */
  | 'storageClassChanged';

export interface DataChange {
  kind: ChangeKind;
  container: ContainerModel;
  dataPath: DataPath;
  /** Where the data was in the base (differs from `dataPath.path` when the path itself moved). */
  fromPath: string;
  /** The SQLite file the base used, when the path moved and was found through one. */
  fromFile?: string;
  from: StorageAt;
  to: StorageAt;
  /** What changed, in words: `volumeClaimTemplate renamed from "data" to "state"`. */
  why: string;
}

export interface CompareSide {
  workload: WorkloadModel;
  containers: readonly ContainerWithData[];
  claims: ClaimLookup;
  /** The compose project, when `.env` overrides what the compose file says. */
  composeProject?: string;
}

/** Paths a workload declares as migrated (annotation or compose label), normalised. */
export function migratedPaths(w: WorkloadModel): string[] {
  const a = w.annotations[DATA_MIGRATED_ANNOTATION] ?? w.annotations[COMPOSE_DATA_MIGRATED_LABEL];
  if (!a) return [];
  return a.value
    .split(/[,\n]/)
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter((s) => s.startsWith('/'));
}

function appContainers(cs: readonly ContainerWithData[]): ContainerWithData[] {
  return cs.filter((c) => c.container.role === 'container' || c.container.role === 'service');
}

function counterpart(base: readonly ContainerWithData[], head: ContainerWithData, headCount: number) {
  const apps = appContainers(base);
  return (
    apps.find((b) => b.container.name === head.container.name) ??
    (apps.length === 1 && headCount === 1 ? apps[0] : undefined)
  );
}

/** `SQLite file /tmp/a.db in env DATABASE_URL` and `… /data/a.db in env DATABASE_URL` share a source. */
function sourceKey(dp: DataPath): string {
  return dp.reason.replace(/^SQLite file \S+ in /, 'SQLite in ');
}

const overlaps = (a: string, b: string): boolean => isUnder(a, b) || isUnder(b, a);

/** Where the base kept the data the head declares at `dp`: the same place, or the place it moved from. */
function basePathFor(dp: DataPath, base: readonly DataPath[], head: readonly DataPath[]): DataPath | undefined {
  const same = base.find((b) => overlaps(b.path, dp.path));
  if (same) return { ...same, path: dp.path };
  const key = sourceKey(dp);
  const before = base.filter((b) => sourceKey(b) === key);
  const now = head.filter((h) => sourceKey(h) === key);
  return before.length === 1 && now.length === 1 ? before[0] : undefined;
}

function quote(s: string | undefined): string {
  return s === undefined ? '(none)' : `"${s}"`;
}

function describeWhy(
  pair: WorkloadPair,
  from: StorageAt,
  to: StorageAt,
  projects: { base?: string; head?: string },
): string {
  const a = from.storage;
  const b = to.storage;
  if (a.kind === 'claim' && b.kind === 'claim') {
    if (a.template && b.template) {
      if (a.template.name !== b.template.name)
        return `volumeClaimTemplate renamed from "${a.template.name}" to "${b.template.name}"`;
      if (a.template.statefulSet !== b.template.statefulSet)
        return `StatefulSet renamed from "${a.template.statefulSet}" to "${b.template.statefulSet}"`;
    }
    if (!a.template && !b.template)
      return `claimName changed from "${a.claim}" to "${b.claim}"${pair.renamed ? ` (and the workload was renamed from "${pair.base.resource.name}")` : ''}`;
    return `${describeStorage(from)} replaced by ${describeStorage(to)}`;
  }
  if (a.kind === 'volume' && b.kind === 'volume') {
    if (a.key !== b.key) return `volume renamed from "${a.key}" to "${b.key}"`;
    const pa = projects.base;
    const pb = projects.head;
    if (!a.external && !b.external && pa !== pb) return `compose project renamed from ${quote(pa)} to ${quote(pb)}`;
    if (a.external || b.external) return `external volume name changed from "${a.name}" to "${b.name}"`;
    return `volume name changed from "${a.name}" to "${b.name}"`;
  }
  if (a.kind === 'host' && b.kind === 'host') return `host directory changed from ${a.source} to ${b.source}`;
  if (from.subPath !== to.subPath) return `subPath changed from ${quote(from.subPath)} to ${quote(to.subPath)}`;
  return `${describeStorage(from)} replaced by ${describeStorage(to)}`;
}

const TEMPLATE_CLAIM_RE = /^claim:(.+)-<ordinal>$/;

/** Identities of what one container mounts (claims without their subPath). */
function mountedIdentities(w: WorkloadModel, c: ContainerModel, claims: ClaimLookup): string[] {
  return c.mounts.map((m) => identity({ ...storageAt(w, [m], m.mountPath, claims), subPath: undefined } as StorageAt));
}

function sameStorage(mounted: string, wanted: string): boolean {
  if (mounted === wanted) return true;
  const t = TEMPLATE_CLAIM_RE.exec(wanted);
  return t !== null && mounted.startsWith(`claim:${t[1]}-`) && /^\d+$/.test(mounted.slice(`claim:${t[1]}-`.length));
}

/** A Job, or an init container, that mounts both the old and the new storage is the copy step. */
function copiedBy(project: Project, from: StorageAt, to: StorageAt, claims: ClaimLookup): boolean {
  const a = identity({ ...from, subPath: undefined } as StorageAt);
  const b = identity({ ...to, subPath: undefined } as StorageAt);
  for (const w of project.workloads) {
    if (w.source !== 'kubernetes') continue;
    for (const c of w.containers) {
      const ids = mountedIdentities(w, c, claims);
      if (ids.some((i) => sameStorage(i, a)) && ids.some((i) => sameStorage(i, b))) return true;
    }
  }
  return false;
}

/** Every data path whose storage changes identity from `base` to `head`, once per container and storage. */
export function dataChanges(pair: WorkloadPair, base: CompareSide, head: CompareSide, project: Project): DataChange[] {
  const out: DataChange[] = [];
  const seen = new Set<string>();
  const migrated = migratedPaths(head.workload);
  const headApps = appContainers(head.containers);
  for (const hc of headApps) {
    const bc = counterpart(base.containers, hc, headApps.length);
    if (!bc) continue;
    // Shorter paths first: a parent directory's finding covers the files and folders inside it.
    const paths = [...hc.dataPaths].sort((x, y) => x.path.length - y.path.length);
    for (const dp of paths) {
      if (migrated.some((m) => overlaps(m, dp.path) || (dp.sqliteFile !== undefined && m === dp.sqliteFile))) continue;
      const to = storageAt(head.workload, hc.container.mounts, dp.path, head.claims, head.composeProject);
      if (!isPersistent(to.storage)) continue;
      const was = basePathFor(dp, bc.dataPaths, hc.dataPaths);
      if (was === undefined) continue;
      const fromPath = was.path;
      const from = storageAt(base.workload, bc.container.mounts, fromPath, base.claims, base.composeProject);
      if (from.storage.kind === 'unknown') continue;
      let kind: ChangeKind | undefined;
      let why = '';
      if (identity(from) === identity(to)) {
        const a = from.storage;
        const b = to.storage;
        if (
          a.kind === 'claim' &&
          b.kind === 'claim' &&
          !a.template &&
          !b.template &&
          a.storageClass !== undefined &&
          b.storageClass !== undefined &&
          a.storageClass !== b.storageClass
        ) {
          kind = 'storageClassChanged';
          why = `changes the storageClassName of PVC "${b.claim}" from "${a.storageClass}" to "${b.storageClass}"`;
        }
      } else if (isPersistent(from.storage)) {
        if (copiedBy(project, from, to, head.claims)) continue;
        kind = 'storageChanged';
        why = describeWhy(pair, from, to, { base: base.composeProject, head: head.composeProject });
      } else {
        kind = 'fromEphemeral';
        why = `${describeStorage(from)} replaced by ${describeStorage(to)}`;
      }
      if (kind === undefined) continue;
      const key = `${hc.container.name}\u0000${identity(from)}\u0000${identity(to)}\u0000${kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        kind,
        container: hc.container,
        dataPath: dp,
        fromPath,
        ...(fromPath !== dp.path && was.sqliteFile !== undefined ? { fromFile: was.sqliteFile } : {}),
        from,
        to,
        why,
      });
    }
  }
  return out;
}
