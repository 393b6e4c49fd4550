/** Small helpers shared by the rules (not a rule: the registry lists rules in `index.ts`). */
import type { ClaimLookupFrom } from '../model/cluster-view.js';
import type { ClaimModel, MountModel, VolumeModel, WorkloadModel } from '../model/model.js';
import type { WorkloadRuleContext } from './rule.js';
import { deepestCoveringMount } from '../facts/mounts.js';

export function namespaceOf(w: WorkloadModel): string {
  return w.resource.namespace ?? 'default';
}

/**
 * For ClusterView lookups: the workload's file and whether its namespace is implicit, so the files view
 * relates it to claims and workloads of its own deploy unit (folder, kustomization, chart) first.
 */
export function unitOf(w: WorkloadModel): ClaimLookupFrom {
  return { file: w.file, implicitNamespace: w.resource.namespace === undefined };
}

/** ` (in k8s/worker.yaml)` when another object is defined in another file than the one reported. */
export function elsewhere(file: string | undefined, here: string): string {
  return file !== undefined && file !== here ? ` (in ${file})` : '';
}

/** What ends the life of data that is not on a volume (for messages). */
export function lifecycle(w: WorkloadModel): string {
  return w.source === 'compose'
    ? 'the container is recreated (docker compose up after a change, down/up, a new image)'
    : 'the pod is deleted, evicted or rescheduled (every rollout)';
}

/** `Deployment shop/web`, `ComposeService api`. */
export function describeWorkload(w: WorkloadModel): string {
  const ns = w.resource.namespace ? `${w.resource.namespace}/` : '';
  return `${w.resource.kind} ${ns}${w.resource.name}`;
}

/** The volume a mount refers to (resolved by the loader, else looked up by name). */
export function volumeOf(w: WorkloadModel, m: MountModel): VolumeModel | undefined {
  return m.volume ?? (m.volumeName !== undefined ? w.volumes.find((v) => v.name === m.volumeName) : undefined);
}

/** The claim behind a volume: a PVC from the view, or the StatefulSet's own claim template. */
export function claimOf(ctx: WorkloadRuleContext, v: VolumeModel): ClaimModel | undefined {
  if (v.kind === 'claimTemplate') return ctx.workload.claimTemplates.find((c) => c.name === (v.claimName ?? v.name));
  if (v.kind === 'persistentVolumeClaim' && v.claimName)
    return ctx.view.getClaim(namespaceOf(ctx.workload), v.claimName, unitOf(ctx.workload));
  return undefined;
}

export function coveringMount(mounts: readonly MountModel[], path: string): MountModel | undefined {
  return deepestCoveringMount(mounts, path);
}

/** Replicas phrase for messages: `4 replicas (autoscaler minReplicas 2)`. */
export function replicasPhrase(ctx: WorkloadRuleContext): string {
  const declared = ctx.workload.replicas ?? 1;
  const eff = ctx.replicas ?? declared;
  return eff > declared ? `${eff} replicas (autoscaler minReplicas ${eff}, declared ${declared})` : `${eff} replicas`;
}

export function hasMode(c: ClaimModel, ...modes: string[]): boolean {
  return c.accessModes.some((m) => modes.includes(m));
}
