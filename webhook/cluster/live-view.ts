import type { KubeConfig } from '@kubernetes/client-node';
import type {
  ClaimUser,
  Presence,
  ClaimModel,
  PersistentVolumeModel,
  ResourceRef,
  StorageClassModel,
} from '../../policies/index.js';
import { imageAliases } from '../../policies/index.js';
import { ApiClient, loadKubeConfig } from './api-client.js';
import { DEFAULT_BACKOFF, Reflector, type BackoffOptions } from './reflector.js';
import {
  claimModel,
  ImageIndex,
  storageClassModel,
  toClaim,
  toNode,
  toPod,
  toStorageClass,
  toVolume,
  volumeModel,
  type ClaimRecord,
  type NodeRecord,
  type PodRecord,
  type StorageClassRecord,
  type VolumeRecord,
} from './records.js';
import type { InformerStatus, LiveClusterOptions, LiveClusterView } from './types.js';

/** Knobs beyond the public options, for tests and the benchmark. */
export interface LiveClusterInternals extends LiveClusterOptions {
  /** An already-loaded kubeconfig (wins over `kubeconfig`/`inCluster`). */
  kubeConfig?: KubeConfig;
  backoff?: BackoffOptions;
  /** Server-side watch timeout base, seconds (default 300: watches end after 5–10 minutes). */
  watchTimeoutSeconds?: number;
  /** How long a watch may wait for the API server's response headers (default 30 s). */
  connectTimeoutMs?: number;
  pageSize?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * The ClusterView answered from informer caches. Every lookup is a map access: nothing on the
 * admission request path talks to the API server.
 */
export class InformerClusterView implements LiveClusterView {
  readonly kind = 'cluster' as const;
  private readonly claims: Reflector<ClaimRecord>;
  private readonly classes: Reflector<StorageClassRecord>;
  private readonly volumes: Reflector<VolumeRecord>;
  private readonly nodes: Reflector<NodeRecord>;
  private readonly pods: Reflector<PodRecord>;
  private readonly all: Reflector<unknown>[];
  private readonly images = new ImageIndex();
  /** `ns/claim` → the PV whose claimRef points at it. */
  private readonly volumeByClaim = new Map<string, string>();
  /** `ns/claim` → keys of the pods mounting it. */
  private readonly podsByClaim = new Map<string, Set<string>>();
  /** Nodes running k3s, kept with the cache so `flavor()` on the request path is O(1). */
  private k3sNodes = 0;

  constructor(kc: KubeConfig, opts: LiveClusterInternals = {}) {
    const client = new ApiClient(kc);
    const base = {
      resyncMs: opts.resyncMs ?? 10 * 60_000,
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 300,
      connectTimeoutMs: opts.connectTimeoutMs,
      pageSize: opts.pageSize,
      log: opts.log,
    };
    this.claims = new Reflector(client, kc, {
      ...base,
      resource: 'persistentvolumeclaims',
      path: '/api/v1/persistentvolumeclaims',
      map: toClaim,
    });
    this.classes = new Reflector(client, kc, {
      ...base,
      resource: 'storageclasses',
      path: '/apis/storage.k8s.io/v1/storageclasses',
      map: toStorageClass,
    });
    this.volumes = new Reflector(client, kc, {
      ...base,
      resource: 'persistentvolumes',
      path: '/api/v1/persistentvolumes',
      map: toVolume,
      onChange: (_key, prev, next) => {
        const pk = prev?.claimRef ? `${prev.claimRef.namespace ?? 'default'}/${prev.claimRef.name}` : undefined;
        if (pk && this.volumeByClaim.get(pk) === prev?.name) this.volumeByClaim.delete(pk);
        if (next?.claimRef)
          this.volumeByClaim.set(`${next.claimRef.namespace ?? 'default'}/${next.claimRef.name}`, next.name);
      },
    });
    this.nodes = new Reflector(client, kc, {
      ...base,
      resource: 'nodes',
      path: '/api/v1/nodes',
      map: toNode,
      onChange: (_key, prev, next) => {
        if (prev) this.images.remove(prev);
        if (next) this.images.add(next);
        this.k3sNodes += (next?.k3s ? 1 : 0) - (prev?.k3s ? 1 : 0);
      },
    });
    this.pods = new Reflector(client, kc, {
      ...base,
      resource: 'pods',
      path: '/api/v1/pods',
      map: toPod,
      onChange: (key, prev, next) => {
        for (const claim of prev?.claims.keys() ?? []) {
          const ck = `${prev?.namespace}/${claim}`;
          const set = this.podsByClaim.get(ck);
          set?.delete(key);
          if (set?.size === 0) this.podsByClaim.delete(ck);
        }
        for (const claim of next?.claims.keys() ?? []) {
          const ck = `${next?.namespace}/${claim}`;
          let set = this.podsByClaim.get(ck);
          if (!set) this.podsByClaim.set(ck, (set = new Set()));
          set.add(key);
        }
      },
    });
    this.all = [this.claims, this.classes, this.volumes, this.nodes, this.pods] as Reflector<unknown>[];
  }

  async start(): Promise<void> {
    for (const r of this.all) r.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((r) => r.stop()));
  }

  /**
   * Resolves when every informer has listed once; rejects after `timeoutMs`, or as soon as an informer
   * that never listed has failed `giveUpAfterFailures` times (a one-shot command should not sit out the
   * whole timeout against a wrong address or a missing permission).
   */
  async waitForSync(timeoutMs: number, giveUpAfterFailures?: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`informers not synced within ${timeoutMs} ms: ${this.describeUnsynced()}`)),
        timeoutMs,
      );
      if (giveUpAfterFailures !== undefined) {
        poll = setInterval(() => {
          const failing = this.all.find((r) => !r.hasListed() && r.status().restarts >= giveUpAfterFailures);
          if (failing) reject(new Error(`informers not synced: ${this.describeUnsynced()}`));
        }, 50);
      }
    });
    try {
      await Promise.race([Promise.all(this.all.map((r) => r.whenSynced())), timeout]);
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
  }

  private describeUnsynced(): string {
    return this.status()
      .filter((s) => !s.synced)
      .map((s) => `${s.resource}${s.lastError ? ` (${s.lastError})` : ''}`)
      .join(', ');
  }

  status(): InformerStatus[] {
    const now = Date.now();
    return this.all.map((r) => r.status(now));
  }

  ready(): boolean {
    return this.all.every((r) => r.isSynced());
  }

  /** Forces every informer to relist now (tests, and an operator's SIGHUP if the server wires one). */
  resync(): void {
    for (const r of this.all) r.requestResync();
  }

  getClaim(namespace: string, name: string): ClaimModel | undefined {
    const c = this.claims.store.get(`${namespace}/${name}`);
    return c ? claimModel(c) : undefined;
  }

  /** The cache holds every namespace's claims; absence is authoritative while the watch is current. */
  knowsClaimsIn(_namespace: string): boolean {
    return this.claims.isSynced();
  }

  getStorageClass(name: string): StorageClassModel | undefined {
    const c = this.classes.store.get(name);
    return c ? storageClassModel(c) : undefined;
  }

  /** With several default classes the API server uses the newest; so does this. */
  defaultStorageClass(): StorageClassModel | undefined {
    let best: StorageClassRecord | undefined;
    for (const c of this.classes.store.values()) {
      if (!c.isDefault) continue;
      if (!best || c.created > best.created || (c.created === best.created && c.name < best.name)) best = c;
    }
    return best ? storageClassModel(best) : undefined;
  }

  getPersistentVolume(name: string): PersistentVolumeModel | undefined {
    const v = this.volumes.store.get(name);
    return v ? volumeModel(v) : undefined;
  }

  boundVolume(namespace: string, claimName: string): PersistentVolumeModel | undefined {
    const claim = this.claims.store.get(`${namespace}/${claimName}`);
    if (claim?.volumeName) {
      const pv = this.getPersistentVolume(claim.volumeName);
      if (pv) return pv;
    }
    const byRef = this.volumeByClaim.get(`${namespace}/${claimName}`);
    return byRef ? this.getPersistentVolume(byRef) : undefined;
  }

  workloadClaims(namespace: string, kind: string, name: string): Map<string, boolean> {
    const out = new Map<string, boolean>();
    for (const pod of this.pods.store.values()) {
      if (pod.namespace !== namespace || pod.owner.kind !== kind || pod.owner.name !== name) continue;
      for (const [claim, readOnly] of pod.claims) out.set(claim, (out.get(claim) ?? true) && readOnly);
    }
    return out;
  }

  /** Groups the pods mounting the claim by their owning workload; replicas = pods seen per workload. */
  claimUsers(namespace: string, claimName: string, exclude?: ResourceRef): ClaimUser[] {
    const keys = this.podsByClaim.get(`${namespace}/${claimName}`);
    if (!keys) return [];
    const users = new Map<string, ClaimUser>();
    for (const key of keys) {
      const pod = this.pods.store.get(key);
      if (!pod) continue;
      const { owner } = pod;
      if (
        exclude &&
        exclude.kind === owner.kind &&
        exclude.name === owner.name &&
        (exclude.namespace ?? namespace) === namespace
      )
        continue;
      const ok = `${owner.kind}/${owner.name}`;
      const readOnly = pod.claims.get(claimName) ?? false;
      const perNode = owner.kind === 'DaemonSet';
      const u = users.get(ok);
      if (u) {
        if (!perNode) u.replicas = (u.replicas ?? 0) + 1;
        u.readOnly = u.readOnly && readOnly;
      } else {
        users.set(ok, {
          resource: { apiVersion: owner.apiVersion, kind: owner.kind, namespace, name: owner.name },
          replicas: perNode ? undefined : 1,
          perNode,
          readOnly,
        });
      }
    }
    return [...users.values()];
  }

  /**
   * 'k3s' when any node runs k3s (then local images must be imported into its containerd), 'kubernetes'
   * otherwise, undefined before the nodes are listed. For `target: auto` in the audit and the webhook.
   */
  flavor(): 'k3s' | 'kubernetes' | undefined {
    if (!this.nodes.hasListed()) return undefined;
    return this.k3sNodes > 0 ? 'k3s' : 'kubernetes';
  }

  imagePresence(image: string, nodeName?: string): Presence {
    // Absence is only authoritative while the cache is current (a lost watch may have missed an import).
    if (!this.nodes.isSynced()) return 'unknown';
    const aliases = imageAliases(image);
    if (nodeName !== undefined) {
      const node = this.nodes.store.get(nodeName);
      // A node that does not exist (yet): the pod cannot start anyway; do not claim the image is missing.
      if (!node) return 'unknown';
      return aliases.some((a) => node.images.has(a)) ? 'present' : 'absent';
    }
    return aliases.some((a) => this.images.onAnyNode(a)) ? 'present' : 'absent';
  }
}

/** What `persistguard serve` calls: a view over the cluster in the kubeconfig (or the pod's account). */
export async function createLiveClusterView(opts: LiveClusterInternals): Promise<InformerClusterView> {
  const kc = opts.kubeConfig ?? loadKubeConfig(opts);
  return new InformerClusterView(kc, opts);
}
