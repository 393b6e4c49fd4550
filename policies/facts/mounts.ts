/**
 * Which mount holds a path, and whether that volume outlives the pod. Shared by every rule that judges a
 * data path, so they all agree on "the deepest mount covering a path decides".
 */
import type { MountModel, VolumeKind, VolumeModel } from '../model/model.js';
import { normalizePosixPath } from './sqlite.js';

/** True when `path` is `dir` or lies under it. */
export function isUnder(path: string, dir: string): boolean {
  if (dir === '/') return true;
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * A mount path as the container runtime sees it: runc/containerd clean it (`filepath.Clean`), so
 * `/var/lib/postgresql/./data`, `//data`, `/x/../data` and `/data/.` all mount at `/data`.
 */
export function cleanMountPath(p: string): string {
  return normalizePosixPath(p);
}

interface MountIndex {
  /** Cleaned mount path → the mount that decides there (the least durable one when a path is mounted twice). */
  byPath: Map<string, MountModel>;
  /** Cleaned mount paths, sorted, for "mounts below a path" range queries. */
  sorted: string[];
  size: number;
}

const indexes = new WeakMap<readonly MountModel[], MountIndex>();

const DURABILITY_RANK: Record<Durability, number> = { ephemeral: 0, anonymous: 1, node: 2, unknown: 3, persistent: 4 };

function rankOf(m: MountModel): number {
  return m.volume ? DURABILITY_RANK[durabilityOf(m.volume.kind)] : DURABILITY_RANK.unknown;
}

/**
 * One index per mount list, built once (linear), so each lookup walks the path's ancestors instead of every
 * mount: a pod with thousands of mounts and data paths stays linear.
 */
function indexOf(mounts: readonly MountModel[]): MountIndex {
  const cached = indexes.get(mounts);
  if (cached && cached.size === mounts.length) return cached;
  const byPath = new Map<string, MountModel>();
  for (const m of mounts) {
    const key = cleanMountPath(m.mountPath);
    const prev = byPath.get(key);
    // The same directory mounted twice (`/data` and `/data/`): which one the runtime stacks on top is an
    // implementation detail, so the guard assumes the worse one.
    if (!prev || rankOf(m) < rankOf(prev)) byPath.set(key, m);
  }
  const idx: MountIndex = { byPath, sorted: [...byPath.keys()].sort(), size: mounts.length };
  indexes.set(mounts, idx);
  return idx;
}

/** The deepest mount whose (cleaned) mountPath is `path` or a parent of it. */
export function deepestCoveringMount(mounts: readonly MountModel[], path: string): MountModel | undefined {
  if (mounts.length === 0) return undefined;
  const { byPath } = indexOf(mounts);
  let p = normalizePosixPath(path);
  for (;;) {
    const m = byPath.get(p);
    if (m) return m;
    if (p === '/') return undefined;
    const i = p.lastIndexOf('/');
    p = i <= 0 ? '/' : p.slice(0, i);
  }
}

/** Mounts strictly below `path` (the path is then only partly persisted). */
export function mountsBelow(mounts: readonly MountModel[], path: string): MountModel[] {
  if (mounts.length === 0) return [];
  const { byPath, sorted } = indexOf(mounts);
  const dir = normalizePosixPath(path);
  const prefix = dir === '/' ? '/' : `${dir}/`;
  // Every key starting with `prefix` sits in one contiguous run of the sorted keys.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < prefix) lo = mid + 1;
    else hi = mid;
  }
  const out: MountModel[] = [];
  for (let i = lo; i < sorted.length; i++) {
    const k = sorted[i] as string;
    if (!k.startsWith(prefix)) break;
    if (k !== dir) out.push(byPath.get(k) as MountModel);
  }
  return out;
}

export type Durability = 'persistent' | 'node' | 'anonymous' | 'ephemeral' | 'unknown';

/** How long data written to a volume of this kind lives. */
export function durabilityOf(kind: VolumeKind): Durability {
  switch (kind) {
    case 'persistentVolumeClaim':
    case 'claimTemplate':
    case 'network':
    case 'composeNamed':
    case 'composeBind':
      return 'persistent';
    case 'hostPath':
      return 'node';
    case 'composeAnonymous':
      return 'anonymous';
    case 'emptyDir':
    case 'ephemeral':
    case 'configMap':
    case 'secret':
    case 'projected':
    case 'downwardAPI':
    case 'image':
    case 'composeTmpfs':
      return 'ephemeral';
    case 'other':
      return 'unknown';
  }
}

/** Human description of a volume for messages: `emptyDir volume "cache"`, `PVC "data"`. */
export function describeVolume(v: VolumeModel | undefined, m?: MountModel): string {
  if (!v) return `volume "${m?.volumeName ?? '?'}" (not defined in the pod)`;
  switch (v.kind) {
    case 'persistentVolumeClaim':
      return `PVC "${v.claimName ?? v.name}"`;
    case 'claimTemplate':
      return `volumeClaimTemplate "${v.claimName ?? v.name}"`;
    case 'emptyDir':
      return v.source === 'Memory' ? `emptyDir volume "${v.name}" (medium: Memory)` : `emptyDir volume "${v.name}"`;
    case 'ephemeral':
      if (v.source === 'gitRepo') return `gitRepo volume "${v.name}" (a clone in an emptyDir)`;
      if (v.source?.startsWith('csi:'))
        return `inline CSI volume "${v.name}" (driver ${v.source.slice(4)}, lives as long as the pod)`;
      return `generic ephemeral volume "${v.name}"`;
    case 'configMap':
    case 'secret':
    case 'projected':
    case 'downwardAPI':
    case 'image':
      return `${v.kind} volume "${v.name}"`;
    case 'hostPath':
      return `hostPath volume "${v.name}"${v.source ? ` (${v.source})` : ''}`;
    case 'network':
      return `network volume "${v.name}"`;
    case 'other':
      return `volume "${v.name}"`;
    case 'composeNamed':
      return `named volume "${v.source ?? v.name}"`;
    case 'composeBind':
      return `bind mount "${v.source ?? v.name}"`;
    case 'composeAnonymous':
      return 'an anonymous volume';
    case 'composeTmpfs':
      return 'tmpfs';
  }
}
