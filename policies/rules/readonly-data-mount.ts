import type { Rule } from './rule.js';
import { describeVolume } from '../facts/mounts.js';
import { coveringMount, volumeOf } from './common.js';

// These volume kinds are read-only by nature; data-path-pvc already fails a data path on them.
const READ_ONLY_BY_NATURE = new Set(['configMap', 'secret', 'projected', 'downwardAPI', 'image']);

export const rule: Rule = {
  meta: {
    id: 'readonly-data-mount',
    defaultSeverity: 'error',
    description: 'A declared data directory must not be mounted read-only.',
    catches: 'a declared data path mounted `readOnly`',
    rationale:
      'An application whose data directory is read-only fails its first write — often by crashing in a loop, sometimes by silently ' +
      'falling back to an in-memory or temporary store whose data is lost on restart.',
    remediation:
      'Remove `readOnly: true` (compose: `:ro` / `read_only: true`) from the mount of the data path, or declare the data path elsewhere.',
    messages: {
      readOnly:
        'Container "{{container}}" keeps data in {{path}} ({{reason}}), but {{volume}} is mounted read-only at {{mountPath}}: writes fail.',
    },
    examples: {
      bad: 'volumeMounts:\n  - name: data\n    mountPath: /var/lib/postgresql/data\n    readOnly: true',
      good: 'volumeMounts:\n  - name: data\n    mountPath: /var/lib/postgresql/data',
    },
    docs: 'docs/rules/readonly-data-mount.md',
  },
  checkWorkload(ctx) {
    for (const { container, dataPaths } of ctx.containers) {
      for (const dp of dataPaths) {
        const m = coveringMount(container.mounts, dp.path);
        if (!m || !m.readOnly) continue;
        const v = volumeOf(ctx.workload, m);
        if (v && READ_ONLY_BY_NATURE.has(v.kind)) continue;
        ctx.report({
          messageId: 'readOnly',
          data: {
            container: container.name,
            path: dp.path,
            reason: dp.reason,
            volume: describeVolume(v, m),
            mountPath: m.mountPath,
          },
          at: m.readOnlyAt ?? m.at,
          container: container.name,
          path: dp.path,
        });
      }
    }
  },
};
