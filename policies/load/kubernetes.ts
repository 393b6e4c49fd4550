/** Kubernetes objects (already parsed) → the workload model, with a JSON-path anchor on every node. */
import type {
  ClaimModel,
  ContainerModel,
  DocRef,
  EnvModel,
  Located,
  MountModel,
  PathSegment,
  Project,
  VolumeKind,
  VolumeModel,
  WorkloadModel,
} from '../model/model.js';
import { asArray, asObj, int, isObj, nodeAnchor, scalarString, str, stringMap, type Obj } from './values.js';
import { trustedController } from '../model/owners.js';
import { claimFields, persistentVolumeFields, storageClassFields } from './storage-objects.js';

/** Volume sources backed by storage outside the node that outlives the pod. */
const NETWORK_SOURCES = new Set([
  'nfs',
  'iscsi',
  'cephfs',
  'rbd',
  'glusterfs',
  'azureDisk',
  'azureFile',
  'awsElasticBlockStore',
  'gcePersistentDisk',
  'cinder',
  'fc',
  'flexVolume',
  'flocker',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'scaleIO',
  'storageos',
  'vsphereVolume',
]);

const SIMPLE_KINDS: Record<string, VolumeKind> = {
  persistentVolumeClaim: 'persistentVolumeClaim',
  emptyDir: 'emptyDir',
  ephemeral: 'ephemeral',
  configMap: 'configMap',
  secret: 'secret',
  projected: 'projected',
  downwardAPI: 'downwardAPI',
  hostPath: 'hostPath',
  image: 'image',
};

/** Where the pod template sits in each workload kind. */
const TEMPLATE_PATHS: Record<string, PathSegment[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

export const WORKLOAD_KINDS = new Set(Object.keys(TEMPLATE_PATHS));

interface Ctx {
  doc: DocRef;
  file: string;
  project: Project;
}

function get(o: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = o;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** True for anything that looks like a Kubernetes object or list (used to classify YAML and JSON documents). */
export function isKubernetesObject(v: unknown): boolean {
  return (
    isObj(v) &&
    typeof v.kind === 'string' &&
    (typeof v.apiVersion === 'string' || (v.kind.endsWith('List') && Array.isArray(v.items)))
  );
}

/** Adds one Kubernetes object (or List) at `base` inside `doc` to the project. Unknown kinds are ignored. */
export function loadKubernetesValue(value: unknown, doc: DocRef, project: Project, base: PathSegment[] = []): void {
  const obj = asObj(value);
  if (!obj) return;
  const kind = str(obj.kind);
  if (!kind) return;
  const ctx: Ctx = { doc, file: doc.file, project };
  if (kind.endsWith('List') && Array.isArray(obj.items)) {
    obj.items.forEach((item, i) => loadKubernetesValue(item, doc, project, [...base, 'items', i]));
    return;
  }
  const meta = asObj(obj.metadata) ?? {};
  const name = str(meta.name) ?? str(meta.generateName) ?? '<unnamed>';
  const namespace = str(meta.namespace);
  const at = nodeAnchor(doc, [...base, 'metadata', ...(meta.name !== undefined ? ['name'] : [])]);
  const spec = asObj(obj.spec) ?? {};

  if (WORKLOAD_KINDS.has(kind)) {
    loadWorkload(ctx, obj, kind, base);
    return;
  }
  switch (kind) {
    case 'PersistentVolumeClaim':
      project.claims.push(claimFrom(ctx, obj, base, false, namespace));
      return;
    case 'PersistentVolume': {
      const pv = persistentVolumeFields(obj);
      project.persistentVolumes.push({
        name,
        reclaimPolicy: pv.reclaimPolicy,
        storageClassName: pv.storageClassName,
        ...(pv.claimRef !== undefined ? { claimRef: pv.claimRef } : {}),
        accessModes: pv.accessModes,
        at,
        file: ctx.file,
      });
      return;
    }
    case 'StorageClass': {
      const sc = storageClassFields(obj);
      project.storageClasses.push({
        name,
        provisioner: sc.provisioner,
        reclaimPolicy: sc.reclaimPolicy,
        isDefault: sc.isDefault,
        at,
        file: ctx.file,
      });
      return;
    }
    case 'ConfigMap': {
      const data: Record<string, Located<string>> = {};
      const d = asObj(obj.data);
      if (d) {
        for (const [k, v] of Object.entries(d)) {
          const s = scalarString(v);
          if (s !== undefined) data[k] = { value: s, at: nodeAnchor(doc, [...base, 'data', k]) };
        }
      }
      project.configMaps.push({ name, namespace, data, at, file: ctx.file });
      return;
    }
    case 'HorizontalPodAutoscaler': {
      const ref = asObj(spec.scaleTargetRef);
      project.autoscalers.push({
        name,
        namespace,
        target: { kind: str(ref?.kind) ?? '', name: str(ref?.name) ?? '' },
        minReplicas: int(spec.minReplicas) ?? 1,
        maxReplicas: int(spec.maxReplicas),
        at,
        file: ctx.file,
      });
      return;
    }
    default:
      return;
  }
}

function claimFrom(
  ctx: Ctx,
  obj: Obj,
  base: PathSegment[],
  fromTemplate: boolean,
  namespace: string | undefined,
): ClaimModel {
  const meta = asObj(obj.metadata) ?? {};
  const claim = claimFields(obj);
  return {
    name: claim.name ?? '<unnamed>',
    namespace,
    accessModes: claim.accessModes,
    storageClassName: claim.storageClassName,
    volumeName: claim.volumeName,
    labels: claim.labels,
    annotations: claim.annotations,
    fromTemplate,
    at: nodeAnchor(ctx.doc, [...base, 'metadata', ...(meta.name !== undefined ? ['name'] : [])]),
    file: ctx.file,
  };
}

function annotationsAt(ctx: Ctx, meta: unknown, path: PathSegment[], into: Record<string, Located<string>>): void {
  const ann = asObj(asObj(meta)?.annotations);
  if (!ann) return;
  for (const [k, v] of Object.entries(ann)) {
    const s = scalarString(v);
    if (s !== undefined) into[k] = { value: s, at: nodeAnchor(ctx.doc, [...path, 'annotations', k]) };
  }
}

function loadWorkload(ctx: Ctx, obj: Obj, kind: string, base: PathSegment[]): void {
  const meta = asObj(obj.metadata) ?? {};
  const templatePath = TEMPLATE_PATHS[kind] ?? [];
  const template = templatePath.length === 0 ? obj : asObj(get(obj, templatePath));
  const tplPath = [...base, ...templatePath];
  const podSpec = asObj(template?.spec) ?? {};
  const podSpecPath = [...tplPath, 'spec'];
  const namespace = str(meta.namespace);

  const annotations: Record<string, Located<string>> = {};
  annotationsAt(ctx, meta, [...base, 'metadata'], annotations);
  if (templatePath.length > 0) annotationsAt(ctx, template?.metadata, [...tplPath, 'metadata'], annotations);

  let replicas: number | undefined = 1;
  let replicasPath: PathSegment[] | undefined;
  const perNode = kind === 'DaemonSet';
  const spec = asObj(obj.spec) ?? {};
  if (perNode) replicas = undefined;
  else if (kind === 'Job' || kind === 'CronJob') {
    // Parallel Job pods run at the same time and share the template's volumes like replicas do.
    const jobSpecPath = kind === 'Job' ? ['spec'] : ['spec', 'jobTemplate', 'spec'];
    const p = int(get(obj, [...jobSpecPath, 'parallelism']));
    if (p !== undefined) {
      replicas = p;
      replicasPath = [...base, ...jobSpecPath, 'parallelism'];
    }
  } else if (kind !== 'Pod') {
    const r = int(spec.replicas);
    if (r !== undefined) {
      replicas = r;
      replicasPath = [...base, 'spec', 'replicas'];
    }
  }

  const volumes: VolumeModel[] = [];
  const byName = new Map<string, VolumeModel>();
  asArray(podSpec.volumes).forEach((v, i) => {
    const vol = volumeFrom(ctx, v, [...podSpecPath, 'volumes', i]);
    if (vol) {
      volumes.push(vol);
      byName.set(vol.name, vol);
    }
  });

  const claimTemplates: ClaimModel[] = [];
  if (kind === 'StatefulSet') {
    asArray(spec.volumeClaimTemplates).forEach((t, i) => {
      const to = asObj(t);
      if (!to) return;
      const claim = claimFrom(ctx, to, [...base, 'spec', 'volumeClaimTemplates', i], true, namespace);
      claimTemplates.push(claim);
      // The StatefulSet controller replaces a pod volume of the same name with the claim.
      const vol: VolumeModel = { name: claim.name, kind: 'claimTemplate', claimName: claim.name, at: claim.at };
      const existing = byName.get(claim.name);
      if (existing) volumes.splice(volumes.indexOf(existing), 1);
      volumes.push(vol);
      byName.set(claim.name, vol);
    });
  }

  const containers: ContainerModel[] = [];
  const roles: [string, ContainerModel['role']][] = [
    ['initContainers', 'initContainer'],
    ['containers', 'container'],
    ['ephemeralContainers', 'ephemeralContainer'],
  ];
  for (const [field, role] of roles) {
    asArray(podSpec[field]).forEach((c, i) => {
      const co = asObj(c);
      // A native sidecar (an init container with `restartPolicy: Always`) runs for the pod's whole life.
      const sidecar = role === 'initContainer' && str(co?.restartPolicy) === 'Always';
      if (co) containers.push(containerFrom(ctx, co, sidecar ? 'container' : role, [...podSpecPath, field, i], byName));
    });
  }

  const nodeSelector = asObj(podSpec.nodeSelector) ? stringMap(podSpec.nodeSelector) : undefined;
  const workload: WorkloadModel = {
    source: 'kubernetes',
    resource: {
      apiVersion: str(obj.apiVersion),
      kind,
      namespace,
      name: str(meta.name) ?? str(meta.generateName) ?? '<unnamed>',
    },
    at: nodeAnchor(ctx.doc, [...base, 'metadata', ...(meta.name !== undefined ? ['name'] : [])]),
    file: ctx.file,
    replicas,
    ...(replicasPath ? { replicasAt: nodeAnchor(ctx.doc, replicasPath) } : {}),
    perNode,
    annotations,
    volumes,
    claimTemplates,
    containers,
    ...(str(podSpec.nodeName) !== undefined ? { nodeName: str(podSpec.nodeName) } : {}),
    ...(nodeSelector ? { nodeSelector } : {}),
    // Only a trusted controller reference counts: anyone who can write the object can forge the rest.
    ownerKinds: ((owner) => (owner ? [owner] : []))(trustedController(kind, meta)),
  };
  ctx.project.workloads.push(workload);
}

function volumeFrom(ctx: Ctx, v: unknown, path: PathSegment[]): VolumeModel | undefined {
  const vo = asObj(v);
  const name = str(vo?.name);
  if (!vo || name === undefined) return undefined;
  const at = nodeAnchor(ctx.doc, path);
  for (const key of Object.keys(vo)) {
    // `persistentVolumeClaim: null` is no source at all: the API server drops it and defaults the volume.
    if (key === 'name' || vo[key] === null || vo[key] === undefined) continue;
    const src = asObj(vo[key]);
    // An inline CSI volume (`csi:` in the pod) is ephemeral: the driver creates it with the pod and deletes
    // it with the pod (persistent CSI storage comes through a PVC). `gitRepo` is an emptyDir with a clone.
    if (key === 'csi' || key === 'gitRepo')
      return { name, kind: 'ephemeral', source: key === 'csi' ? `csi:${str(src?.driver) ?? '?'}` : 'gitRepo', at };
    const simple = SIMPLE_KINDS[key];
    if (simple) {
      const vol: VolumeModel = { name, kind: simple, at };
      if (simple === 'persistentVolumeClaim') vol.claimName = str(src?.claimName);
      else if (simple === 'emptyDir') {
        const medium = str(src?.medium);
        if (medium) vol.source = medium;
      } else if (simple === 'configMap') vol.source = str(src?.name);
      else if (simple === 'secret') vol.source = str(src?.secretName);
      else if (simple === 'hostPath') vol.source = str(src?.path);
      else if (simple === 'image') vol.source = str(src?.reference);
      return vol;
    }
    if (NETWORK_SOURCES.has(key)) return { name, kind: 'network', source: key, at };
    return { name, kind: 'other', at };
  }
  // `volumes: [{name: data}]`: Kubernetes defaults a volume without a source to an emptyDir.
  return { name, kind: 'emptyDir', source: undefined, at };
}

/**
 * Kubernetes dependent-variable expansion: `$(NAME)` → the value of NAME, `$$` → `$`; names not
 * defined stay as written (as the kubelet leaves them). Undefined when a referenced value is unknown.
 */
export function expandDependentVars(s: string, vars: ReadonlyMap<string, string | undefined>): string | undefined {
  if (!s.includes('$')) return s;
  let unknown = false;
  const out = s.replace(/\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (m, name: string | undefined) => {
    if (name === undefined) return '$';
    if (!vars.has(name)) return m;
    const v = vars.get(name);
    if (v === undefined) unknown = true;
    return v ?? '';
  });
  return unknown ? undefined : out;
}

function located(ctx: Ctx, v: unknown, path: PathSegment[]): Located<string> | undefined {
  const s = scalarString(v);
  return s === undefined ? undefined : { value: s, at: nodeAnchor(ctx.doc, path) };
}

function containerFrom(
  ctx: Ctx,
  c: Obj,
  role: ContainerModel['role'],
  path: PathSegment[],
  volumes: Map<string, VolumeModel>,
): ContainerModel {
  const env: EnvModel[] = [];
  asArray(c.env).forEach((e, i) => {
    const eo = asObj(e);
    const name = str(eo?.name);
    if (!eo || name === undefined) return;
    const fromRef = eo.valueFrom !== undefined && eo.valueFrom !== null;
    const value = fromRef ? undefined : scalarString(eo.value);
    env.push({
      name,
      ...(value !== undefined ? { value } : {}),
      ...(fromRef ? { fromRef } : {}),
      at: nodeAnchor(ctx.doc, [...path, 'env', i]),
    });
  });
  // The kubelet expands `$(VAR)` in env values, command and args from the container's env defined
  // before it; a reference to a value only known at run time (valueFrom) makes an env value unknown.
  const vars = new Map<string, string | undefined>();
  for (const e of env) {
    if (e.value !== undefined) {
      const expanded = expandDependentVars(e.value, vars);
      if (expanded === undefined) {
        e.template = e.value;
        delete e.value;
      } else e.value = expanded;
    }
    vars.set(e.name, e.value);
  }
  const list = (field: string): Located<string>[] =>
    asArray(c[field]).flatMap((x, i) => {
      const l = located(ctx, x, [...path, field, i]);
      if (!l) return [];
      const expanded = expandDependentVars(l.value, vars);
      return [expanded === undefined ? l : { value: expanded, at: l.at }];
    });
  const mounts: MountModel[] = [];
  asArray(c.volumeMounts).forEach((m, i) => {
    const mo = asObj(m);
    const mountPath = str(mo?.mountPath);
    if (!mo || mountPath === undefined) return;
    const mpath = [...path, 'volumeMounts', i];
    const volumeName = str(mo.name);
    // kubectl reads manifests as YAML 1.1, where `yes`, `on` and `True` are booleans too.
    const readOnly = yamlTrue(mo.readOnly);
    const subPath = str(mo.subPath) ?? str(mo.subPathExpr);
    mounts.push({
      mountPath,
      ...(volumeName !== undefined ? { volumeName } : {}),
      ...(volumeName !== undefined && volumes.has(volumeName) ? { volume: volumes.get(volumeName) } : {}),
      readOnly,
      ...(subPath ? { subPath } : {}),
      at: nodeAnchor(ctx.doc, mpath),
      ...(readOnly ? { readOnlyAt: nodeAnchor(ctx.doc, [...mpath, 'readOnly']) } : {}),
    });
  });
  const image = located(ctx, c.image, [...path, 'image']);
  const pull = located(ctx, c.imagePullPolicy, [...path, 'imagePullPolicy']);
  return {
    name: str(c.name) ?? '<unnamed>',
    role,
    ...(image ? { image } : {}),
    ...(pull ? { imagePullPolicy: pull } : {}),
    env,
    command: list('command'),
    args: list('args'),
    mounts,
    envFromConfigMaps: asArray(c.envFrom).flatMap((e) => {
      const n = str(asObj(asObj(e)?.configMapRef)?.name);
      return n ? [n] : [];
    }),
    at: nodeAnchor(ctx.doc, path),
  };
}

const YAML11_TRUE = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'y', 'Y']);

/** A boolean field as kubectl's YAML 1.1 parser reads it: `true`, and the strings `yes`, `on`, `True`… */
export function yamlTrue(v: unknown): boolean {
  return v === true || (typeof v === 'string' && YAML11_TRUE.has(v));
}
