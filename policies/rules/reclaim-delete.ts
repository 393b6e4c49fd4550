import type { Rule, WorkloadRuleContext } from './rule.js';
import type { ClaimModel, VolumeModel } from '../model/model.js';
import { childAnchor } from '../model/model.js';
import { claimOf, coveringMount, namespaceOf, volumeOf } from './common.js';

/**
 * Default StorageClasses of common distributions, all `reclaimPolicy: Delete`. Used when the input names
 * (or, on k3s, defaults to) a class it does not define. An unknown class is never guessed.
 */
export const KNOWN_DELETE_CLASSES: Record<string, string> = {
  'local-path': 'k3s default class',
  standard: 'kind/minikube/GKE default class',
  'standard-rwo': 'GKE default class',
  'premium-rwo': 'GKE class',
  gp2: 'EKS default class',
  gp3: 'EKS class',
  default: 'AKS default class',
  'managed-csi': 'AKS default class',
  'managed-csi-premium': 'AKS class',
  'managed-premium': 'AKS class',
  longhorn: 'Longhorn default class',
  hostpath: 'Docker Desktop default class',
  'microk8s-hostpath': 'MicroK8s default class',
  'openebs-hostpath': 'OpenEBS default class',
  'do-block-storage': 'DigitalOcean default class',
};

interface Verdict {
  what: string;
}

function judge(ctx: WorkloadRuleContext, claim: ClaimModel): Verdict | undefined {
  const ns = namespaceOf(ctx.workload);
  if (!claim.fromTemplate) {
    const pv = ctx.view.boundVolume(ns, claim.name);
    // A bound PV decides; a PV created by hand without reclaimPolicy defaults to Retain.
    if (pv)
      return pv.reclaimPolicy === 'Delete'
        ? { what: `bound PersistentVolume "${pv.name}" has reclaimPolicy Delete` }
        : undefined;
  }
  if (claim.storageClassName === '') return undefined;
  let name = claim.storageClassName;
  if (name === undefined) {
    const def = ctx.view.defaultStorageClass();
    if (def)
      return (def.reclaimPolicy ?? 'Delete') === 'Delete'
        ? {
            what: `default StorageClass "${def.name}" has ${def.reclaimPolicy ? 'reclaimPolicy Delete' : 'no reclaimPolicy (Kubernetes defaults it to Delete)'}`,
          }
        : undefined;
    if (ctx.view.kind !== 'files' || !ctx.targetsK3s) return undefined;
    name = 'local-path';
    return { what: `StorageClass "${name}" (no storageClassName: the k3s default class) has reclaimPolicy Delete` };
  }
  const sc = ctx.view.getStorageClass(name);
  if (sc) {
    if ((sc.reclaimPolicy ?? 'Delete') !== 'Delete') return undefined;
    return {
      what: `StorageClass "${name}" has ${sc.reclaimPolicy ? 'reclaimPolicy Delete' : 'no reclaimPolicy (Kubernetes defaults it to Delete)'}`,
    };
  }
  const known = ctx.view.kind === 'files' ? KNOWN_DELETE_CLASSES[name] : undefined;
  return known
    ? { what: `StorageClass "${name}" (${known}, not in the scanned files) has reclaimPolicy Delete` }
    : undefined;
}

export const rule: Rule = {
  meta: {
    id: 'reclaim-delete',
    defaultSeverity: 'warning',
    description:
      'A claim holding a data path should not use a StorageClass or PersistentVolume with reclaimPolicy Delete.',
    catches:
      'a data claim whose StorageClass or bound PV deletes the volume with the claim (including k3s `local-path`)',
    rationale:
      'With reclaimPolicy Delete the volume and its data are destroyed as soon as the claim is deleted — by `kubectl delete -f`, `helm uninstall`, ' +
      'deleting the namespace, or a PaaS redeploy that recreates its resources. k3s `local-path`, and most cloud default classes, are Delete.',
    remediation:
      'Use a StorageClass with `reclaimPolicy: Retain` for data claims, or switch the bound volume: kubectl patch pv <pv> -p \'{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}\'. Label the claim persistguard.io/protected: "true" so the webhook guards its deletion.',
    messages: {
      deleteClaim:
        'Data path {{path}} of container "{{container}}" is on {{claimKind}} "{{claim}}", whose {{what}}: deleting the claim destroys the volume and its data.',
    },
    examples: {
      bad: 'kind: PersistentVolumeClaim\nspec:\n  storageClassName: local-path   # k3s default: reclaimPolicy Delete',
      good: 'kind: StorageClass\nmetadata: { name: local-path-retain }\nprovisioner: rancher.io/local-path\nreclaimPolicy: Retain\n---\nkind: PersistentVolumeClaim\nspec:\n  storageClassName: local-path-retain',
    },
    docs: 'docs/rules/reclaim-delete.md',
    usesClusterView: true,
  },
  checkWorkload(ctx) {
    const w = ctx.workload;
    if (w.source !== 'kubernetes') return;
    const done = new Set<VolumeModel>();
    for (const { container, dataPaths } of ctx.containers) {
      for (const dp of dataPaths) {
        const m = coveringMount(container.mounts, dp.path);
        const v = m ? volumeOf(w, m) : undefined;
        if (!v || done.has(v) || (v.kind !== 'persistentVolumeClaim' && v.kind !== 'claimTemplate')) continue;
        done.add(v);
        const claim = claimOf(ctx, v);
        if (!claim) continue;
        const verdict = judge(ctx, claim);
        if (!verdict) continue;
        const at = v.kind === 'claimTemplate' ? claim.at : childAnchor(v.at, 'persistentVolumeClaim', 'claimName');
        ctx.report({
          messageId: 'deleteClaim',
          data: {
            path: dp.path,
            container: container.name,
            claimKind: v.kind === 'claimTemplate' ? 'volumeClaimTemplate' : 'PVC',
            claim: claim.name,
            what: verdict.what,
          },
          at,
          container: container.name,
          path: dp.path,
        });
      }
    }
  },
};
