import { claimFields, imageAliases, persistentVolumeFields, storageClassFields } from '../../policies/index.js';
import type { Anchor, ClaimModel, PersistentVolumeModel, StorageClassModel } from '../../policies/index.js';
import type { KubeObject } from './api-client.js';

/**
 * Compact records: what the informers keep of each object. A full PVC or Node object is several KB
 * (managedFields, conditions, every image's size); the view needs a few fields of it, so each object is
 * mapped on arrival and the original is dropped (see docs/deploy.md, "Memory"). Claims, classes and
 * volumes are read by the core's own mapping (`claimFields`…), the one the file loader uses, and turned
 * back into the core's models by `claimModel`…: a claim means the same in CI and at admission.
 */

export interface ClaimRecord {
  namespace: string;
  name: string;
  accessModes: string[];
  /** undefined: not set (default class); '': explicitly no class. */
  storageClassName?: string;
  volumeName?: string;
  /** Only `persistguard.io/*` labels and annotations: the deletion guard and exemptions read those. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface StorageClassRecord {
  name: string;
  provisioner?: string;
  reclaimPolicy?: string;
  isDefault: boolean;
  /** For picking the newest of several default classes, as the API server does. */
  created: string;
}

export interface VolumeRecord {
  name: string;
  reclaimPolicy?: string;
  storageClassName?: string;
  claimRef?: { namespace?: string; name: string };
  accessModes: string[];
}

/** What a node record answers about its images: a `Set` as mapped, {@link PooledImages} once indexed. */
export interface ImageNames extends Iterable<string> {
  has(name: string): boolean;
  readonly size: number;
}

export interface NodeRecord {
  name: string;
  /** Every spelling of every image on the node, normalised (see `imageAliases`). */
  images: ImageNames;
  /** The node runs k3s (kubelet `v1.30.4+k3s1`, containerd `…-k3s1`). */
  k3s: boolean;
}

/** A pod that mounts at least one claim; pods without claims are not kept at all. */
export interface PodRecord {
  namespace: string;
  name: string;
  nodeName?: string;
  /** claim name → true when every mount of it in this pod is read-only. */
  claims: Map<string, boolean>;
  owner: { apiVersion?: string; kind: string; name: string };
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

/** Shared by every record that has none: records are never changed in place (the models copy them). */
const NO_KEYS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Only `persistguard.io/*` keys are kept (memory): the deletion guard and exemptions read nothing else.
 * Almost every claim has none, and then shares one frozen empty object (two fewer objects per claim).
 */
function ours(m: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(m)) if (k.startsWith('persistguard.io/')) (out ??= {})[k] = v;
  return out ?? NO_KEYS;
}

/**
 * Access-mode lists, one frozen array per distinct list: a cluster has a handful (`[ReadWriteOnce]`…)
 * and 50,000 claims would otherwise hold 50,000 arrays and strings. Bounded: a list has at most the
 * four modes the API accepts, and anything else a claim says is kept per claim, not pooled.
 */
const ACCESS_MODES = new Map<string, string[]>();
const KNOWN_MODES = new Set(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']);
function pooledModes(modes: string[]): string[] {
  if (modes.length > KNOWN_MODES.size || !modes.every((m) => KNOWN_MODES.has(m))) return modes;
  const key = modes.join(',');
  let shared = ACCESS_MODES.get(key);
  if (!shared) ACCESS_MODES.set(key, (shared = Object.freeze([...modes]) as string[]));
  return shared;
}

/** `namespace/name`, the key of every namespaced record (cluster-scoped: the name). */
export function keyOf(o: KubeObject): string {
  const ns = o.metadata?.namespace;
  const name = o.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function toClaim(o: KubeObject): ClaimRecord | undefined {
  const c = claimFields(o);
  if (!c.name) return undefined;
  return {
    namespace: c.namespace ?? 'default',
    name: c.name,
    accessModes: pooledModes(c.accessModes),
    storageClassName: c.storageClassName,
    volumeName: c.volumeName,
    labels: ours(c.labels),
    annotations: ours(c.annotations),
  };
}

export function toStorageClass(o: KubeObject): StorageClassRecord | undefined {
  const sc = storageClassFields(o);
  if (!sc.name) return undefined;
  return {
    name: sc.name,
    provisioner: sc.provisioner,
    reclaimPolicy: sc.reclaimPolicy,
    isDefault: sc.isDefault,
    created: sc.created ?? '',
  };
}

export function toVolume(o: KubeObject): VolumeRecord | undefined {
  const v = persistentVolumeFields(o);
  if (!v.name) return undefined;
  return {
    name: v.name,
    reclaimPolicy: v.reclaimPolicy,
    storageClassName: v.storageClassName,
    claimRef: v.claimRef,
    accessModes: pooledModes(v.accessModes),
  };
}

/** Live objects have no file: their anchors name the object, and findings carry the JSON path. */
export function liveAnchor(kind: string, namespace: string | undefined, name: string): Anchor {
  return {
    kind: 'node',
    doc: { file: `cluster:${kind}/${namespace ? `${namespace}/` : ''}${name}`, index: 0 },
    path: [],
  };
}

function anchorFile(at: Anchor): string {
  return at.kind === 'node' ? at.doc.file : '';
}

/** A claim record as the core's model (copies: a rule can never change the cache). */
export function claimModel(c: ClaimRecord): ClaimModel {
  const at = liveAnchor('PersistentVolumeClaim', c.namespace, c.name);
  return {
    name: c.name,
    namespace: c.namespace,
    accessModes: [...c.accessModes],
    storageClassName: c.storageClassName,
    volumeName: c.volumeName,
    labels: { ...c.labels },
    annotations: { ...c.annotations },
    fromTemplate: false,
    at,
    file: anchorFile(at),
  };
}

export function storageClassModel(c: StorageClassRecord): StorageClassModel {
  const at = liveAnchor('StorageClass', undefined, c.name);
  return {
    name: c.name,
    provisioner: c.provisioner,
    reclaimPolicy: c.reclaimPolicy,
    isDefault: c.isDefault,
    at,
    file: anchorFile(at),
  };
}

export function volumeModel(v: VolumeRecord): PersistentVolumeModel {
  const at = liveAnchor('PersistentVolume', undefined, v.name);
  return {
    name: v.name,
    reclaimPolicy: v.reclaimPolicy,
    storageClassName: v.storageClassName,
    claimRef: v.claimRef ? { ...v.claimRef } : undefined,
    accessModes: [...v.accessModes],
    at,
    file: anchorFile(at),
  };
}

/**
 * A node's images as the view keeps them: the sorted ids of its spellings in the {@link ImageIndex}'s pool,
 * 4 bytes per spelling, instead of a `Set` of strings (~1.6 KB for a node with 30 images under two names;
 * 5,000 such nodes held 8.4 MiB of heap in Sets).
 */
export class PooledImages implements ImageNames {
  constructor(
    readonly ids: Uint32Array,
    private readonly pool: ImageIndex,
  ) {}
  get size(): number {
    return this.ids.length;
  }
  has(name: string): boolean {
    const id = this.pool.idOf(name);
    if (id === undefined) return false;
    const ids = this.ids;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid] as number;
      if (v === id) return true;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
  *[Symbol.iterator](): Iterator<string> {
    for (const id of this.ids) yield this.pool.nameOf(id);
  }
}

/**
 * Which image spellings are on how many nodes. Doubles as a pool: 5,000 nodes mostly run the same
 * images, so each spelling is held once, under a small integer id, and a node keeps only the ids of its
 * spellings ({@link PooledImages}). An id whose last node went away is reused.
 */
export class ImageIndex {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly counts: number[] = [];
  private readonly free: number[] = [];
  /** Counts the node's spellings and replaces its images by their pooled ids. */
  add(rec: NodeRecord): void {
    const ids = new Uint32Array(rec.images.size);
    let i = 0;
    for (const img of rec.images) {
      let id = this.ids.get(img);
      if (id === undefined) {
        id = this.free.pop() ?? this.names.length;
        this.ids.set(img, id);
        this.names[id] = img;
        this.counts[id] = 0;
      }
      this.counts[id] = (this.counts[id] ?? 0) + 1;
      ids[i++] = id;
    }
    rec.images = new PooledImages(ids.sort(), this);
  }
  /** Uncounts a node added before; its record must not be asked about its images afterwards. */
  remove(rec: NodeRecord): void {
    if (!(rec.images instanceof PooledImages)) return;
    for (const id of rec.images.ids) {
      const n = (this.counts[id] ?? 0) - 1;
      this.counts[id] = n;
      if (n > 0) continue;
      this.ids.delete(this.names[id] ?? '');
      this.names[id] = '';
      this.free.push(id);
    }
  }
  idOf(name: string): number | undefined {
    return this.ids.get(name);
  }
  nameOf(id: number): string {
    return this.names[id] ?? '';
  }
  onAnyNode(alias: string): boolean {
    return this.ids.has(alias);
  }
  get size(): number {
    return this.ids.size;
  }
}

export function toNode(o: KubeObject): NodeRecord | undefined {
  const name = o.metadata?.name;
  if (!name) return undefined;
  const images = new Set<string>();
  for (const img of arr(obj(o.status)?.images)) {
    for (const n of strings(obj(img)?.names)) {
      for (const alias of imageAliases(n)) images.add(alias);
    }
  }
  const info = obj(obj(o.status)?.nodeInfo);
  const k3s = /k3s/.test(str(info?.kubeletVersion) ?? '') || /k3s/.test(str(info?.containerRuntimeVersion) ?? '');
  return { name, images, k3s };
}

const TERMINATED = new Set(['Succeeded', 'Failed']);

/**
 * The workload a pod belongs to. A ReplicaSet created by a Deployment is named `<deployment>-<hash>`
 * and its pods carry `pod-template-hash=<hash>`, so the Deployment's name is the ReplicaSet's minus that
 * suffix (no ReplicaSet informer needed). A Job created by a CronJob is named `<cronjob>-<scheduled
 * minute>` (digits only); a Job name ending in 8+ digits is taken as a CronJob's.
 */
export function podOwner(o: KubeObject): PodRecord['owner'] {
  const refs = o.metadata?.ownerReferences ?? [];
  const ctl = refs.find((r) => r.controller) ?? refs[0];
  if (!ctl?.kind || !ctl.name) return { apiVersion: 'v1', kind: 'Pod', name: o.metadata?.name ?? '' };
  if (ctl.kind === 'ReplicaSet') {
    const hash = o.metadata?.labels?.['pod-template-hash'];
    if (hash && ctl.name.endsWith(`-${hash}`))
      return { apiVersion: 'apps/v1', kind: 'Deployment', name: ctl.name.slice(0, -(hash.length + 1)) };
  }
  if (ctl.kind === 'Job') {
    const m = /^(.+)-\d{8,}$/.exec(ctl.name);
    if (m?.[1]) return { apiVersion: 'batch/v1', kind: 'CronJob', name: m[1] };
  }
  return { apiVersion: ctl.apiVersion, kind: ctl.kind, name: ctl.name };
}

/** Maps a pod to the claims it mounts; undefined for pods that mount none or have finished. */
export function toPod(o: KubeObject): PodRecord | undefined {
  const name = o.metadata?.name;
  if (!name) return undefined;
  if (TERMINATED.has(str(obj(o.status)?.phase) ?? '')) return undefined;
  const spec = obj(o.spec) ?? {};
  const volumeClaims = new Map<string, { claim: string; readOnly: boolean }>();
  for (const v of arr(spec.volumes)) {
    const vol = obj(v);
    const pvc = obj(vol?.persistentVolumeClaim);
    const claim = str(pvc?.claimName);
    const vname = str(vol?.name);
    if (claim && vname) volumeClaims.set(vname, { claim, readOnly: pvc?.readOnly === true });
  }
  if (volumeClaims.size === 0) return undefined;
  const claims = new Map<string, boolean>();
  // A claim is read-only in the pod when the volume says so or every container mount of it does.
  const mountsRw = new Set<string>();
  const mounted = new Set<string>();
  for (const list of [spec.containers, spec.initContainers]) {
    for (const c of arr(list)) {
      for (const m of arr(obj(c)?.volumeMounts)) {
        const mm = obj(m);
        const vname = str(mm?.name);
        if (!vname || !volumeClaims.has(vname)) continue;
        mounted.add(vname);
        if (mm?.readOnly !== true) mountsRw.add(vname);
      }
    }
  }
  for (const [vname, { claim, readOnly }] of volumeClaims) {
    const ro = readOnly || (mounted.has(vname) && !mountsRw.has(vname));
    claims.set(claim, (claims.get(claim) ?? true) && ro);
  }
  return {
    namespace: o.metadata?.namespace ?? 'default',
    name,
    nodeName: str(spec.nodeName),
    claims,
    owner: podOwner(o),
  };
}
