/**
 * Which workload of the base is the same workload in the head. By identity first (kind, namespace, name;
 * compose: file and service); then a workload renamed in place — same kind and namespace, same file, same
 * container names — which is how a StatefulSet or Helm release rename shows in a diff.
 */
import type { WorkloadModel } from '../model/model.js';

function identityKey(w: WorkloadModel): string {
  if (w.source === 'compose') return `compose\u0000${w.file}\u0000${w.resource.name}`;
  return `k8s\u0000${w.resource.kind}\u0000${w.resource.namespace ?? 'default'}\u0000${w.resource.name}`;
}

function shapeKey(w: WorkloadModel): string {
  const containers = w.containers
    .filter((c) => c.role !== 'ephemeralContainer')
    .map((c) => c.name)
    .sort()
    .join(',');
  if (w.source === 'compose') return `compose\u0000${w.resource.name}\u0000${containers}`;
  return `k8s\u0000${w.file}\u0000${w.resource.kind}\u0000${w.resource.namespace ?? 'default'}\u0000${containers}`;
}

export interface WorkloadPair {
  base: WorkloadModel;
  head: WorkloadModel;
  /** The workload's name (or its compose file) changed between base and head. */
  renamed: boolean;
}

/** Pairs of head workloads and their base versions. New and removed workloads have no pair. */
export function matchWorkloads(
  base: readonly WorkloadModel[],
  head: readonly WorkloadModel[],
): Map<WorkloadModel, WorkloadPair> {
  const out = new Map<WorkloadModel, WorkloadPair>();
  const byIdentity = new Map<string, WorkloadModel>();
  for (const b of base) if (!byIdentity.has(identityKey(b))) byIdentity.set(identityKey(b), b);
  const used = new Set<WorkloadModel>();
  const unmatched: WorkloadModel[] = [];
  for (const h of head) {
    const b = byIdentity.get(identityKey(h));
    if (b && !used.has(b)) {
      used.add(b);
      out.set(h, { base: b, head: h, renamed: false });
    } else unmatched.push(h);
  }
  // A rename is only assumed when exactly one workload of that shape left and exactly one arrived.
  const group = <T extends WorkloadModel>(ws: readonly T[]): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const w of ws) m.set(shapeKey(w), [...(m.get(shapeKey(w)) ?? []), w]);
    return m;
  };
  const gone = group(base.filter((b) => !used.has(b)));
  for (const [key, arrived] of group(unmatched)) {
    const left = gone.get(key);
    if (arrived.length === 1 && left?.length === 1)
      out.set(arrived[0] as WorkloadModel, {
        base: left[0] as WorkloadModel,
        head: arrived[0] as WorkloadModel,
        renamed: true,
      });
  }
  return out;
}
