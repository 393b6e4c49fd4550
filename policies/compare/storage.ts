/**
 * What holds a data path, as an identity that can be compared between two versions of a workload: the same
 * identity means the data is still there after the change; a different one means the container starts on
 * storage that does not hold it.
 */
import type { ClaimModel, MountModel, Project, VolumeModel, WorkloadModel } from '../model/model.js';
import { deepestCoveringMount } from '../facts/mounts.js';

export type Storage =
  /** No volume: the container filesystem (lives as long as the pod or container). */
  | { kind: 'container' }
  /** A volume deleted with the pod or container (emptyDir, tmpfs, anonymous compose volume). */
  | { kind: 'ephemeral'; describe: string }
  /** A PersistentVolumeClaim, or the claims a StatefulSet template creates (`<template>-<sts>-<ordinal>`). */
  | { kind: 'claim'; claim: string; template?: { name: string; statefulSet: string }; storageClass?: string }
  /** A compose named volume, by the name Docker gives it. */
  | { kind: 'volume'; name: string; key: string; external: boolean }
  /** A host directory (hostPath, compose bind mount). */
  | { kind: 'host'; source: string }
  /** A network volume or a source this module cannot name: never compared. */
  | { kind: 'unknown' };

export interface StorageAt {
  storage: Storage;
  mount?: MountModel;
  /** A subPath inside the volume is part of where the data is. */
  subPath?: string;
}

/** The claim behind a claimName, to read its storageClassName (undefined when the files do not define it). */
export type ClaimLookup = (namespace: string, name: string) => ClaimModel | undefined;

/** A compose workload's project: `COMPOSE_PROJECT_NAME` in its folder's `.env`, else `name:` or the folder. */
export type ComposeProjectOf = (w: WorkloadModel) => string | undefined;

export function composeProjectOf(project: Project): ComposeProjectOf {
  const byDir = new Map(project.composeProjectNames.map((c) => [c.dir, c.name]));
  return (w) => {
    const dir = w.file.includes('/') ? w.file.slice(0, w.file.lastIndexOf('/')) : '';
    return byDir.get(dir) ?? w.composeProject;
  };
}

/** The name Docker gives a compose named volume: `<project>_<key>`, or the declared `name:` / external name. */
export function dockerVolumeName(w: WorkloadModel, v: VolumeModel, project = w.composeProject): string {
  const key = v.source ?? v.name;
  if (v.dockerName !== undefined) return v.dockerName;
  if (v.external) return key;
  return project ? `${project}_${key}` : key;
}

function storageOfVolume(w: WorkloadModel, v: VolumeModel, claims: ClaimLookup, project?: string): Storage {
  const ns = w.resource.namespace ?? 'default';
  switch (v.kind) {
    case 'persistentVolumeClaim': {
      if (!v.claimName) return { kind: 'unknown' };
      const c = claims(ns, v.claimName);
      return {
        kind: 'claim',
        claim: v.claimName,
        ...(c?.storageClassName !== undefined ? { storageClass: c.storageClassName } : {}),
      };
    }
    case 'claimTemplate': {
      const template = v.claimName ?? v.name;
      const t = w.claimTemplates.find((c) => c.name === template);
      return {
        kind: 'claim',
        claim: `${template}-${w.resource.name}-<ordinal>`,
        template: { name: template, statefulSet: w.resource.name },
        ...(t?.storageClassName !== undefined ? { storageClass: t.storageClassName } : {}),
      };
    }
    case 'emptyDir':
    case 'ephemeral':
    case 'composeTmpfs':
    case 'composeAnonymous':
      return { kind: 'ephemeral', describe: v.kind };
    case 'composeNamed':
      return {
        kind: 'volume',
        name: dockerVolumeName(w, v, project),
        key: v.source ?? v.name,
        external: v.external === true,
      };
    case 'hostPath':
    case 'composeBind':
      return v.source ? { kind: 'host', source: v.source } : { kind: 'unknown' };
    default:
      return { kind: 'unknown' };
  }
}

/** Where `path` lives in a container with these mounts. */
export function storageAt(
  w: WorkloadModel,
  mounts: readonly MountModel[],
  path: string,
  claims: ClaimLookup,
  composeProject: string | undefined = w.composeProject,
): StorageAt {
  const m = deepestCoveringMount(mounts, path);
  if (!m) return { storage: { kind: 'container' } };
  const v = m.volume ?? (m.volumeName !== undefined ? w.volumes.find((x) => x.name === m.volumeName) : undefined);
  if (!v) return { storage: { kind: 'unknown' }, mount: m };
  return {
    storage: storageOfVolume(w, v, claims, composeProject),
    mount: m,
    ...(m.subPath ? { subPath: m.subPath } : {}),
  };
}

/** A string equal for two storages exactly when they hold the same data. */
export function identity(s: StorageAt): string {
  const sub = s.subPath ? `#${s.subPath}` : '';
  const st = s.storage;
  switch (st.kind) {
    case 'container':
    case 'unknown':
      return st.kind;
    case 'ephemeral':
      return `ephemeral${sub}`;
    case 'claim':
      return `claim:${st.claim}${sub}`;
    case 'volume':
      return `volume:${st.name}${sub}`;
    case 'host':
      return `host:${st.source}${sub}`;
  }
}

export function isPersistent(s: Storage): boolean {
  return s.kind === 'claim' || s.kind === 'volume' || s.kind === 'host';
}

/** Human description for messages: `PVC "ledger-data"`, `named volume "shop_pgdata"`. */
export function describeStorage(s: StorageAt): string {
  const st = s.storage;
  const sub = s.subPath ? ` (subPath ${s.subPath})` : '';
  switch (st.kind) {
    case 'container':
      return 'the container filesystem';
    case 'ephemeral':
      return st.describe === 'emptyDir'
        ? `emptyDir volume "${s.mount?.volumeName ?? '?'}"`
        : st.describe === 'composeTmpfs'
          ? 'a tmpfs'
          : st.describe === 'composeAnonymous'
            ? 'an anonymous volume'
            : `ephemeral volume "${s.mount?.volumeName ?? '?'}"`;
    case 'claim':
      return st.template
        ? `volumeClaimTemplate "${st.template.name}" of StatefulSet "${st.template.statefulSet}" (claims ${st.claim})${sub}`
        : `PVC "${st.claim}"${sub}`;
    case 'volume':
      return `named volume "${st.name}"${sub}`;
    case 'host':
      return `host directory ${st.source}${sub}`;
    case 'unknown':
      return 'an unknown volume';
  }
}
