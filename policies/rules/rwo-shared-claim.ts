import type { Rule } from './rule.js';
import { childAnchor } from '../model/model.js';
import { describeWorkload, hasMode, namespaceOf, replicasPhrase } from './common.js';

export const rule: Rule = {
  meta: {
    id: 'rwo-shared-claim',
    defaultSeverity: 'error',
    description:
      'A ReadWriteOnce/ReadWriteOncePod claim must be mounted by a single pod: not by several replicas, a DaemonSet or two workloads.',
    catches:
      'a ReadWriteOnce/ReadWriteOncePod claim mounted by more than one replica (autoscaler minimum included), a DaemonSet, or two workloads',
    rationale:
      'A ReadWriteOnce volume attaches to one node. Extra replicas scheduled elsewhere hang in ContainerCreating (Multi-Attach error), ' +
      'and replicas on the same node write one directory at once — two database processes on one data dir corrupt it. ' +
      'ReadWriteOncePod refuses the second pod outright.',
    remediation:
      'Run one replica (or a StatefulSet with volumeClaimTemplates so each replica gets its own claim); if the data really must be shared, use a ReadWriteMany storage class and an application that supports concurrent writers.',
    messages: {
      replicas:
        'PVC "{{claim}}" is {{modes}}, but {{workload}} runs {{replicas}} that all mount it: pods on other nodes cannot attach it, pods on the same node share one data directory.',
      perNode:
        'PVC "{{claim}}" is {{modes}}, but {{workload}} runs a pod on every node and each mounts it: only one node can attach it.',
      otherWorkloads:
        'PVC "{{claim}}" is {{modes}}, but it is also mounted by {{others}}: only one of them can attach it at a time.',
    },
    examples: {
      bad: 'kind: Deployment\nspec:\n  replicas: 3\n  template:\n    spec:\n      volumes:\n        - name: data\n          persistentVolumeClaim: { claimName: app-data }  # ReadWriteOnce',
      good: 'kind: StatefulSet\nspec:\n  replicas: 3\n  volumeClaimTemplates:\n    - metadata: { name: data }\n      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 10Gi } } }',
    },
    docs: 'docs/rules/rwo-shared-claim.md',
    usesClusterView: true,
  },
  checkWorkload(ctx) {
    const w = ctx.workload;
    if (w.source !== 'kubernetes') return;
    const ns = namespaceOf(w);
    for (const v of w.volumes) {
      if (v.kind !== 'persistentVolumeClaim' || !v.claimName) continue;
      const claim = ctx.view.getClaim(ns, v.claimName);
      if (!claim || !hasMode(claim, 'ReadWriteOnce', 'ReadWriteOncePod') || hasMode(claim, 'ReadWriteMany')) continue;
      const modes = claim.accessModes.join('/');
      const base = { claim: v.claimName, modes, workload: describeWorkload(w) };
      const at = childAnchor(v.at, 'persistentVolumeClaim', 'claimName');
      if (w.perNode) {
        ctx.report({ messageId: 'perNode', data: base, at, path: v.claimName });
        continue;
      }
      if ((ctx.replicas ?? 1) > 1) {
        ctx.report({
          messageId: 'replicas',
          data: { ...base, replicas: replicasPhrase(ctx) },
          at: w.replicasAt ?? at,
          path: v.claimName,
        });
        continue;
      }
      const others = ctx.view.claimUsers(ns, v.claimName, w.resource);
      if (others.length > 0) {
        const list = others
          .map(
            (u) =>
              `${u.resource.kind} ${u.resource.name}${u.perNode ? ' (DaemonSet)' : (u.replicas ?? 1) > 1 ? ` (${u.replicas} replicas)` : ''}`,
          )
          .join(', ');
        ctx.report({ messageId: 'otherWorkloads', data: { ...base, others: list }, at, path: v.claimName });
      }
    }
  },
};
