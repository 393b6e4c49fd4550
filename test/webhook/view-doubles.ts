/** Test doubles of the live ClusterView for the webhook tests (no Kubernetes API server can run here). */
import type { ClusterView } from '../../policies/model/cluster-view.js';

/** A test double of the live ClusterView (no API server here): readiness is set by the test. */
export class SyncingViewTestDouble implements ClusterView {
  readonly kind = 'cluster' as const;
  isReady = false;
  getClaim(..._args: Parameters<ClusterView['getClaim']>): ReturnType<ClusterView['getClaim']> {
    return undefined;
  }
  knowsClaimsIn(..._args: Parameters<ClusterView['knowsClaimsIn']>): boolean {
    return false;
  }
  getStorageClass() {
    return undefined;
  }
  defaultStorageClass() {
    return undefined;
  }
  getPersistentVolume() {
    return undefined;
  }
  boundVolume() {
    return undefined;
  }
  claimUsers() {
    return [];
  }
  imagePresence() {
    return 'unknown' as const;
  }
  ready() {
    return this.isReady;
  }
}

/**
 * A test double of a broken live view (a bug in the informer cache): `ready()` throws before the engine
 * runs, `flavor()` throws inside it. Either must end in the `--on-error` answer, never in a crash.
 */
export class BrokenViewTestDouble extends SyncingViewTestDouble {
  constructor(private readonly where: 'ready' | 'flavor') {
    super();
    this.isReady = true;
  }
  override ready(): boolean {
    if (this.where === 'ready') throw new TypeError("Cannot read properties of undefined (reading 'synced')");
    return true;
  }
  flavor(): 'k3s' | 'kubernetes' | undefined {
    throw new TypeError("Cannot read properties of undefined (reading 'k3sNodes')");
  }
}
