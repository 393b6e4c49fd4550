/**
 * Small builders for hand-made models, so engine and rule units can be tested without the loaders.
 * Anchors are `pos` anchors in a fake file whose line numbers tell the tests which node a finding points at.
 */
import type {
  Anchor,
  ClaimModel,
  ContainerModel,
  MountModel,
  Project,
  StorageClassModel,
  VolumeKind,
  VolumeModel,
  WorkloadModel,
} from '../../policies/model/model.js';
import { emptyProject } from '../../policies/model/model.js';
import { defaultConfig, type ResolvedConfig } from '../../policies/config/types.js';

let line = 0;
/** A fresh anchor on the next line of `file`. */
export function pos(file = 'test.yaml', at?: number): Anchor {
  line += 1;
  return { kind: 'pos', file, line: at ?? line, column: 1 };
}

export function volume(name: string, kind: VolumeKind, extra: Partial<VolumeModel> = {}): VolumeModel {
  return { name, kind, at: pos(), ...extra };
}

export function pvc(name: string, claimName = name): VolumeModel {
  return volume(name, 'persistentVolumeClaim', { claimName });
}

export function mount(mountPath: string, v?: VolumeModel, extra: Partial<MountModel> = {}): MountModel {
  return { mountPath, volumeName: v?.name, volume: v, readOnly: false, at: pos(), ...extra };
}

export function container(
  name: string,
  extra: Partial<ContainerModel> & { imageRef?: string; pull?: string; envs?: Record<string, string> } = {},
): ContainerModel {
  const { imageRef, pull, envs, ...rest } = extra;
  const c: ContainerModel = {
    name,
    role: 'container',
    env: [],
    command: [],
    args: [],
    mounts: [],
    envFromConfigMaps: [],
    at: pos(),
    ...rest,
  };
  if (imageRef !== undefined) c.image = { value: imageRef, at: pos() };
  if (pull !== undefined) c.imagePullPolicy = { value: pull, at: pos() };
  for (const [k, v] of Object.entries(envs ?? {})) c.env.push({ name: k, value: v, at: pos() });
  return c;
}

export function workload(
  name: string,
  containers: ContainerModel[],
  extra: Partial<WorkloadModel> & { anns?: Record<string, string> } = {},
): WorkloadModel {
  const { anns, ...rest } = extra;
  const volumes = rest.volumes ?? [
    ...new Set(containers.flatMap((c) => c.mounts.flatMap((m) => (m.volume ? [m.volume] : [])))),
  ];
  const w: WorkloadModel = {
    source: 'kubernetes',
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name },
    at: pos(),
    file: 'test.yaml',
    replicas: 1,
    perNode: false,
    annotations: {},
    volumes,
    claimTemplates: [],
    containers,
    ownerKinds: [],
    ...rest,
  };
  for (const [k, v] of Object.entries(anns ?? {})) w.annotations[k] = { value: v, at: pos() };
  return w;
}

export function composeService(name: string, c: ContainerModel, extra: Partial<WorkloadModel> = {}): WorkloadModel {
  return workload(name, [{ ...c, role: 'service' }], {
    source: 'compose',
    resource: { kind: 'ComposeService', name },
    file: 'compose.yaml',
    composeProject: 'app',
    ...extra,
  });
}

export function claim(
  name: string,
  accessModes: string[] = ['ReadWriteOnce'],
  extra: Partial<ClaimModel> = {},
): ClaimModel {
  return {
    name,
    namespace: 'default',
    accessModes,
    labels: {},
    annotations: {},
    fromTemplate: false,
    at: pos(),
    file: 'test.yaml',
    ...extra,
  };
}

export function storageClass(name: string, reclaimPolicy?: string, isDefault = false): StorageClassModel {
  return { name, reclaimPolicy, isDefault, at: pos(), file: 'test.yaml' };
}

export function project(parts: Partial<Project> = {}): Project {
  return { ...emptyProject(), files: 1, ...parts };
}

export function config(over: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return { ...defaultConfig(), ...over };
}
