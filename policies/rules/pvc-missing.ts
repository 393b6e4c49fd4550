import type { Rule } from './rule.js';
import { childAnchor } from '../model/model.js';
import { namespaceOf } from './common.js';

export const rule: Rule = {
  meta: {
    id: 'pvc-missing',
    defaultSeverity: 'warning',
    description: 'A persistentVolumeClaim volume must name a claim that exists.',
    catches: 'a `claimName` no PVC defines',
    severityNote: 'warning (error in the webhook)',
    rationale:
      'A pod that mounts a claim nobody created stays Pending; a typo in claimName during a migration is also how a workload ' +
      'silently ends up on a fresh, empty claim that someone creates to "fix" the Pending pod.',
    remediation: 'Create the PersistentVolumeClaim (in the same namespace) or correct the claimName.',
    messages: {
      missingInFiles:
        'Volume "{{volume}}" mounts PVC "{{claim}}", but no PersistentVolumeClaim "{{claim}}" is defined in namespace {{namespace}} in the scanned files (which define other claims there): the pod stays Pending.',
      missingInCluster:
        'Volume "{{volume}}" mounts PVC "{{claim}}", which does not exist in namespace {{namespace}}: the pod stays Pending.',
    },
    examples: {
      bad: 'volumes:\n  - name: data\n    persistentVolumeClaim: { claimName: app-dta }  # typo',
      good: 'volumes:\n  - name: data\n    persistentVolumeClaim: { claimName: app-data }',
    },
    docs: 'docs/rules/pvc-missing.md',
    usesClusterView: true,
  },
  checkWorkload(ctx) {
    const w = ctx.workload;
    if (w.source !== 'kubernetes') return;
    const ns = namespaceOf(w);
    const cluster = ctx.view.kind === 'cluster';
    if (cluster ? !ctx.view.ready() : !ctx.view.knowsClaimsIn(ns)) return;
    for (const v of w.volumes) {
      if (v.kind !== 'persistentVolumeClaim' || !v.claimName) continue;
      if (ctx.view.getClaim(ns, v.claimName)) continue;
      ctx.report({
        messageId: cluster ? 'missingInCluster' : 'missingInFiles',
        data: { volume: v.name, claim: v.claimName, namespace: ns },
        at: childAnchor(v.at, 'persistentVolumeClaim', 'claimName'),
        path: v.claimName,
        // Live absence is authoritative: an error. In files the default (warning) applies, so config can raise it.
        ...(cluster ? { severity: 'error' as const } : {}),
      });
    }
  },
};
