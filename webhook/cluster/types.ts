import type { ClusterView } from '../../policies/index.js';

/** State of one informer, for /readyz, /metrics and logs. */
export interface InformerStatus {
  resource: string;
  synced: boolean;
  /** Seconds since the last successful list or watch event; undefined before the first. */
  lastSyncAgeSeconds?: number;
  restarts: number;
  lastError?: string;
  /** Objects held in the cache. */
  objects: number;
}

/** The ClusterView backed by informers; `ready()` is true only when every informer has synced. */
export interface LiveClusterView extends ClusterView {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): InformerStatus[];
}

export interface LiveClusterOptions {
  /** Path to a kubeconfig; default: the standard loading rules (KUBECONFIG, ~/.kube/config). */
  kubeconfig?: string;
  /** Use the pod's service account. */
  inCluster?: boolean;
  /** Full relist interval, ms (default 10 minutes). */
  resyncMs?: number;
}
