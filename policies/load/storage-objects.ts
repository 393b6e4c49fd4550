/**
 * PersistentVolumeClaims, StorageClasses and PersistentVolumes read as Kubernetes reads them: the one
 * mapping shared by the file loader (`kubernetes.ts`) and the webhook's informer records
 * (`webhook/cluster/records.ts`), so a claim judged in CI and the same claim judged at admission get the
 * same storage class, the same default class and the same bound volume.
 */
import { asObj, str, stringList, stringMap } from './values.js';

/** Both spellings Kubernetes honours; either one set to "true" makes the class a default (`IsDefaultAnnotation`). */
export const DEFAULT_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
] as const;

/** The annotation that predates `storageClassName`; still honoured when the field is absent. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export function isDefaultStorageClass(annotations: Readonly<Record<string, string>>): boolean {
  return DEFAULT_CLASS_ANNOTATIONS.some((k) => annotations[k] === 'true');
}

interface Named {
  /** `metadata.name`; undefined when absent (each caller decides what an unnamed object means). */
  name?: string;
  generateName?: string;
  namespace?: string;
}

export interface ClaimFields extends Named {
  accessModes: string[];
  /** undefined: the cluster's default class; '': explicitly no class (static binding). */
  storageClassName?: string;
  volumeName?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface StorageClassFields extends Named {
  provisioner?: string;
  reclaimPolicy?: string;
  isDefault: boolean;
  /** `metadata.creationTimestamp`: with several default classes the API server uses the newest. */
  created?: string;
}

export interface PersistentVolumeFields extends Named {
  reclaimPolicy?: string;
  storageClassName?: string;
  claimRef?: { namespace?: string; name: string };
  accessModes: string[];
}

function named(meta: Record<string, unknown>): Named {
  const out: Named = {};
  const name = str(meta.name);
  const generateName = str(meta.generateName);
  const namespace = str(meta.namespace);
  if (name !== undefined) out.name = name;
  if (generateName !== undefined) out.generateName = generateName;
  if (namespace !== undefined) out.namespace = namespace;
  return out;
}

export function claimFields(obj: unknown): ClaimFields {
  const o = asObj(obj) ?? {};
  const meta = asObj(o.metadata) ?? {};
  const spec = asObj(o.spec) ?? {};
  const annotations = stringMap(meta.annotations);
  const storageClassName =
    typeof spec.storageClassName === 'string' ? spec.storageClassName : annotations[BETA_STORAGE_CLASS_ANNOTATION];
  return {
    ...named(meta),
    accessModes: stringList(spec.accessModes),
    storageClassName,
    // An empty volumeName is an unbound claim, as an absent one.
    volumeName: str(spec.volumeName) || undefined,
    labels: stringMap(meta.labels),
    annotations,
  };
}

export function storageClassFields(obj: unknown): StorageClassFields {
  const o = asObj(obj) ?? {};
  const meta = asObj(o.metadata) ?? {};
  return {
    ...named(meta),
    provisioner: str(o.provisioner),
    reclaimPolicy: str(o.reclaimPolicy),
    isDefault: isDefaultStorageClass(stringMap(meta.annotations)),
    created: str(meta.creationTimestamp),
  };
}

export function persistentVolumeFields(obj: unknown): PersistentVolumeFields {
  const o = asObj(obj) ?? {};
  const meta = asObj(o.metadata) ?? {};
  const spec = asObj(o.spec) ?? {};
  const ref = asObj(spec.claimRef);
  const refName = str(ref?.name);
  return {
    ...named(meta),
    reclaimPolicy: str(spec.persistentVolumeReclaimPolicy),
    storageClassName: str(spec.storageClassName) ?? str(stringMap(meta.annotations)[BETA_STORAGE_CLASS_ANNOTATION]),
    ...(refName !== undefined ? { claimRef: { namespace: str(ref?.namespace), name: refName } } : {}),
    accessModes: stringList(spec.accessModes),
  };
}
