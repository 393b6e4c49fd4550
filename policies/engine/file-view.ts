/**
 * A ClusterView answered from the scanned files (CLI and Action). Absence here is not authoritative: a
 * claim may live in another repository, so rules only say "missing" when the files define claims for that
 * namespace (`knowsClaimsIn`).
 */
import type { ClaimLookupFrom, ClaimUser, ClusterView, Presence } from '../model/cluster-view.js';
import type {
  AutoscalerModel,
  ClaimModel,
  PersistentVolumeModel,
  Project,
  ResourceRef,
  StorageClassModel,
  WorkloadModel,
} from '../model/model.js';
import { anchorFile } from '../model/model.js';
import { DeployUnits } from '../model/deploy-unit.js';

const ns = (n: string | undefined): string => n ?? 'default';
const key = (namespace: string | undefined, name: string): string => `${ns(namespace)}/${name}`;

function sameResource(a: ResourceRef, b: ResourceRef): boolean {
  return a.kind === b.kind && a.name === b.name && ns(a.namespace) === ns(b.namespace);
}

/** The highest `minReplicas` of the autoscalers targeting each kind/namespace/name (see {@link indexAutoscalers}). */
export type AutoscalerIndex = ReadonlyMap<string, number>;

const targetKey = (kind: string, namespace: string | undefined, name: string): string =>
  `${kind}\u0000${ns(namespace)}\u0000${name}`;

/**
 * Indexes autoscalers by their target once per project: scanning the whole list for every workload made
 * the scan quadratic in the size of the repository.
 */
export function indexAutoscalers(autoscalers: readonly AutoscalerModel[]): AutoscalerIndex {
  const index = new Map<string, number>();
  for (const h of autoscalers) {
    const k = targetKey(h.target.kind, h.namespace, h.target.name);
    const prev = index.get(k);
    index.set(k, prev === undefined ? h.minReplicas : Math.max(prev, h.minReplicas));
  }
  return index;
}

/** Effective replicas: declared replicas (default 1) raised to the minimum of an autoscaler targeting it. */
export function effectiveReplicas(
  w: WorkloadModel,
  autoscalers: readonly AutoscalerModel[] | AutoscalerIndex,
): number | undefined {
  if (w.perNode) return undefined;
  const index = Array.isArray(autoscalers)
    ? indexAutoscalers(autoscalers as readonly AutoscalerModel[])
    : (autoscalers as AutoscalerIndex);
  const min = index.get(targetKey(w.resource.kind, w.resource.namespace, w.resource.name));
  const replicas = w.replicas ?? 1;
  return min === undefined ? replicas : Math.max(replicas, min);
}

export class FileClusterView implements ClusterView {
  readonly kind = 'files' as const;
  private readonly claims = new Map<string, ClaimModel[]>();
  private readonly units: DeployUnits;
  private readonly claimNamespaces = new Set<string>();
  private readonly classes = new Map<string, StorageClassModel>();
  private readonly volumes = new Map<string, PersistentVolumeModel>();
  private readonly users = new Map<string, ClaimUser[]>();
  private readonly defaultClass: StorageClassModel | undefined;

  constructor(project: Project) {
    for (const c of project.claims) {
      if (c.fromTemplate) continue;
      const k = key(c.namespace, c.name);
      this.claims.set(k, [...(this.claims.get(k) ?? []), c]);
      this.claimNamespaces.add(ns(c.namespace));
    }
    for (const sc of project.storageClasses) this.classes.set(sc.name, sc);
    for (const pv of project.persistentVolumes) this.volumes.set(pv.name, pv);
    this.defaultClass = project.storageClasses.find((sc) => sc.isDefault);
    this.units = new DeployUnits(project.workloads.map((w) => w.file));
    const autoscalers = indexAutoscalers(project.autoscalers);
    for (const w of project.workloads) {
      if (w.source !== 'kubernetes') continue;
      const replicas = effectiveReplicas(w, autoscalers);
      for (const v of w.volumes) {
        if (v.kind !== 'persistentVolumeClaim' || !v.claimName) continue;
        const mounts = w.containers.flatMap((c) => c.mounts.filter((m) => m.volume === v || m.volumeName === v.name));
        const readOnly = mounts.length > 0 && mounts.every((m) => m.readOnly);
        const k = key(w.resource.namespace, v.claimName);
        const list = this.users.get(k) ?? [];
        if (!list.some((u) => sameResource(u.resource, w.resource)))
          list.push({ resource: w.resource, replicas, perNode: w.perNode, readOnly, file: w.file });
        this.users.set(k, list);
      }
    }
  }

  getClaim(namespace: string, name: string, from?: ClaimLookupFrom): ClaimModel | undefined {
    const list = this.claims.get(key(namespace, name));
    if (!list) return undefined;
    // Without a unit (or with several same-named claims none of which is in it), the last one written wins.
    const last = list[list.length - 1];
    if (from === undefined) return last;
    const mine = list.filter((c) => this.units.covers(anchorFile(c.at), from.file));
    if (mine.length > 0) return mine[mine.length - 1];
    // Namespace implicit on both sides: a claim of another deploy unit is another install's object.
    const elsewhere = from.implicitNamespace ? list.filter((c) => c.namespace !== undefined) : list;
    return elsewhere[elsewhere.length - 1];
  }

  knowsClaimsIn(namespace: string, from?: ClaimLookupFrom): boolean {
    if (!this.claimNamespaces.has(ns(namespace))) return false;
    if (from === undefined || !from.implicitNamespace) return true;
    for (const list of this.claims.values())
      for (const c of list)
        if (
          ns(c.namespace) === ns(namespace) &&
          (c.namespace !== undefined || this.units.covers(anchorFile(c.at), from.file))
        )
          return true;
    return false;
  }

  getStorageClass(name: string): StorageClassModel | undefined {
    return this.classes.get(name);
  }

  defaultStorageClass(): StorageClassModel | undefined {
    return this.defaultClass;
  }

  getPersistentVolume(name: string): PersistentVolumeModel | undefined {
    return this.volumes.get(name);
  }

  boundVolume(namespace: string, claimName: string): PersistentVolumeModel | undefined {
    const claim = this.getClaim(namespace, claimName);
    if (claim?.volumeName) {
      const pv = this.volumes.get(claim.volumeName);
      if (pv) return pv;
    }
    for (const pv of this.volumes.values()) {
      if (pv.claimRef && pv.claimRef.name === claimName && ns(pv.claimRef.namespace) === ns(namespace)) return pv;
    }
    return undefined;
  }

  claimUsers(namespace: string, claimName: string, exclude?: ResourceRef, from?: ClaimLookupFrom): ClaimUser[] {
    const list = this.users.get(key(namespace, claimName)) ?? [];
    const others = exclude ? list.filter((u) => !sameResource(u.resource, exclude)) : [...list];
    if (from === undefined || !from.implicitNamespace) return others;
    // Two workloads of implicit namespace share a claim only when both resolve to the same claim object, or
    // (the claim not being in the files) when they are in one deploy unit.
    const mine = this.getClaim(namespace, claimName, from);
    return others.filter((u) => {
      if (u.file === undefined || u.resource.namespace !== undefined) return true;
      const theirs = this.getClaim(namespace, claimName, { file: u.file, implicitNamespace: true });
      if (mine || theirs) return mine === theirs;
      return this.units.covers(u.file, from.file) || this.units.covers(from.file, u.file);
    });
  }

  imagePresence(_image: string, _nodeName?: string): Presence {
    return 'unknown';
  }

  ready(): boolean {
    return true;
  }
}

export function fileClusterView(project: Project): ClusterView {
  return new FileClusterView(project);
}
