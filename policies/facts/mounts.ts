/**
 * Which mount holds a path, and whether that volume outlives the pod. Shared by every rule that judges a
 * data path, so they all agree on "the deepest mount covering a path decides".
 */
import type { MountModel, VolumeKind, VolumeModel } from '../model/model.js';

/** True when `path` is `dir` or lies under it. */
export function isUnder(path: string, dir: string): boolean {
  if (dir === '/') return true;
  return path === dir || path.startsWith(`${dir}/`);
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.replace(/\/+$/, '') : p;
}

/** The deepest mount whose mountPath is `path` or a parent of it. */
export function deepestCoveringMount(mounts: readonly MountModel[], path: string): MountModel | undefined {
  let best: MountModel | undefined;
  for (const m of mounts) {
    const mp = trimSlash(m.mountPath);
    if (!isUnder(path, mp)) continue;
    if (!best || mp.length > trimSlash(best.mountPath).length) best = m;
  }
  return best;
}

/** Mounts strictly below `path` (the path is then only partly persisted). */
export function mountsBelow(mounts: readonly MountModel[], path: string): MountModel[] {
  return mounts.filter((m) => {
    const mp = trimSlash(m.mountPath);
    return mp !== path && isUnder(mp, path);
  });
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
