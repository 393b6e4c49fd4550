import type { ClaimModel, PersistentVolumeModel, StorageClassModel, ResourceRef } from './model.js';

/** Another workload that mounts a claim, as seen by the view (scanned files or the live cluster). */
export interface ClaimUser {
  resource: ResourceRef;
  /** Effective replicas (autoscaler minimum taken into account); undefined for per-node workloads. */
  replicas?: number;
  perNode: boolean;
  /** True when the workload mounts the claim read-only everywhere. */
  readOnly: boolean;
}

export type Presence = 'present' | 'absent' | 'unknown';

/**
 * Lookups the rules may make beyond the workload under evaluation. Backed by the scanned files in the CLI
 * and the Action (`FileClusterView`), by informer caches in the webhook. Rules never know which.
 */
export interface ClusterView {
  /** 'files': built from scanned input; 'cluster': a live cluster, where absence is authoritative. */
  readonly kind: 'files' | 'cluster';
  /** undefined: not known; the engine and rules then stay silent rather than guess. */
  getClaim(namespace: string, name: string): ClaimModel | undefined;
  /** Whether this view knows the claims of `namespace` at all (files: the input defines some PVC there). */
  knowsClaimsIn(namespace: string): boolean;
  getStorageClass(name: string): StorageClassModel | undefined;
  /** The class used by claims with no storageClassName. */
  defaultStorageClass(): StorageClassModel | undefined;
  getPersistentVolume(name: string): PersistentVolumeModel | undefined;
  /** The PV bound to a claim (by claim.volumeName or the PV's claimRef). */
  boundVolume(namespace: string, claimName: string): PersistentVolumeModel | undefined;
  /** Workloads other than `exclude` that mount the claim. */
  claimUsers(namespace: string, claimName: string, exclude?: ResourceRef): ClaimUser[];
  /**
   * The claims the running pods of one workload mount (true: read-only everywhere); undefined when the view
   * cannot tell (files). Lets the webhook judge a `scale` subresource request, which carries no pod template.
   */
  workloadClaims?(namespace: string, kind: string, name: string): Map<string, boolean> | undefined;
  /** Whether an image is present on a node (`nodeName`) or on any node; 'unknown' without a cluster. */
  imagePresence(image: string, nodeName?: string): Presence;
  /** Whether the view's cache is complete; false while informers sync (webhook `--on-cache-miss`). */
  ready(): boolean;
  /**
   * What kind of cluster this is, when the view can tell (a live view reads the nodes' kubelet versions).
   * With config `target: auto`, `'k3s'` switches on the k3s image checks (see `targetsK3s` in engine.ts).
   */
  flavor?(): 'k3s' | 'kubernetes' | undefined;
}
