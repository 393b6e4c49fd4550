/**
 * `kubectl scale` goes through the `scale` subresource: the request carries an autoscaling/v1 Scale (name and
 * replica count), not the workload, so the workload's own judgement never sees the new count. The claims its
 * running pods mount come from the live view instead, and `rwo-shared-claim` is judged on them.
 */
import type { ClusterView } from '../policies/index.js';
import type { AdmissionRequest } from './review.js';

/** `apps/v1` resource → kind whose replicas share the pod template's claims. */
const SCALABLE: Readonly<Record<string, string>> = {
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  replicasets: 'ReplicaSet',
};

export interface ScaleTarget {
  kind: string;
  namespace: string;
  name: string;
  replicas: number;
  oldReplicas?: number;
}

function replicasOf(v: unknown): number | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const spec = (v as { spec?: unknown }).spec;
  const n = typeof spec === 'object' && spec !== null ? (spec as { replicas?: unknown }).replicas : undefined;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The workload a `scale` UPDATE addresses, or undefined for anything the webhook does not judge. */
export function scaleTarget(req: AdmissionRequest): ScaleTarget | undefined {
  if (req.subResource !== 'scale' || req.operation !== 'UPDATE') return undefined;
  const r = req.resource;
  const kind = r && r.group === 'apps' ? SCALABLE[r.resource] : undefined;
  const replicas = replicasOf(req.object);
  if (!kind || replicas === undefined || !req.name) return undefined;
  return {
    kind,
    namespace: req.namespace || 'default',
    name: req.name,
    replicas,
    oldReplicas: replicasOf(req.oldObject),
  };
}

export interface SharedClaim {
  claim: string;
  modes: string;
}

/**
 * ReadWriteOnce/ReadWriteOncePod claims the workload's pods mount writable, which `replicas` pods would share;
 * undefined when the view cannot tell (no cluster, caches syncing, no pod of the workload running).
 * A StatefulSet's per-replica claims (`<template>-<name>-<ordinal>`) are not shared.
 */
export function sharedClaimsOnScale(view: ClusterView | undefined, t: ScaleTarget): SharedClaim[] | undefined {
  if (!view || !view.ready() || !view.workloadClaims) return undefined;
  const claims = view.workloadClaims(t.namespace, t.kind, t.name);
  if (!claims || claims.size === 0) return undefined;
  const perReplica = new RegExp(`-${t.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`);
  const shared: SharedClaim[] = [];
  for (const [claim, readOnly] of claims) {
    if (readOnly || (t.kind === 'StatefulSet' && perReplica.test(claim))) continue;
    const model = view.getClaim(t.namespace, claim);
    const modes = model?.accessModes ?? [];
    if (modes.includes('ReadWriteMany')) continue;
    if (modes.includes('ReadWriteOnce') || modes.includes('ReadWriteOncePod'))
      shared.push({ claim, modes: modes.join('/') });
  }
  return shared;
}
