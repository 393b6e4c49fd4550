import type { Rule, WorkloadRuleContext } from './rule.js';
import type { VolumeModel, WorkloadModel } from '../model/model.js';
import { coveringMount, describeWorkload, hasMode, namespaceOf, volumeOf } from './common.js';

/**
 * A migration step (`migrate sql -e --yes`, `alembic upgrade`, `rails db:migrate`…) runs before the server
 * and exits: it writes the database in turn, not concurrently, so it does not count as a second writer.
 */
const MIGRATION_WORD = /^(migrate|migrations?|db:migrate|upgrade|migrate:.*)$/i;
export function isMigrationStep(w: WorkloadModel): boolean {
  return w.containers.some((c) =>
    [...c.command, ...c.args].some((a) => a.value.split(/\s+/).some((word) => MIGRATION_WORD.test(word))),
  );
}

/** Other compose services of the same project that mount the same named volume or bind source writable. */
function composeSharers(ctx: WorkloadRuleContext, v: VolumeModel): string[] {
  const w = ctx.workload;
  if (!v.source || v.external || isMigrationStep(w)) return [];
  const out: string[] = [];
  for (const o of ctx.project.workloads) {
    if (
      o === w ||
      o.source !== 'compose' ||
      o.file !== w.file ||
      o.composeProject !== w.composeProject ||
      isMigrationStep(o)
    )
      continue;
    const writes = o.containers.some((c) =>
      c.mounts.some((m) => !m.readOnly && m.volume?.kind === v.kind && m.volume.source === v.source),
    );
    if (writes) out.push(o.resource.name);
  }
  return out;
}

export const rule: Rule = {
  meta: {
    id: 'sqlite-shared-volume',
    defaultSeverity: 'warning',
    description:
      'A SQLite database should not sit on a volume that several pods or services write (ReadWriteMany, network volumes, shared claims).',
    catches: 'SQLite on a ReadWriteMany claim or on a claim written by more than one replica or workload',
    rationale:
      'SQLite locks with POSIX file locks, which NFS and many network filesystems do not honour reliably; two writers on one database ' +
      'file corrupt it. One writer per database file, on a local (ReadWriteOnce) volume, is the safe layout.',
    remediation:
      'Give the database a single writer (one replica, its own ReadWriteOnce claim or named volume), or move shared state to a client/server database (PostgreSQL, MySQL).',
    messages: {
      rwx: 'Container "{{container}}" keeps the SQLite database {{file}} ({{reason}}) on PVC "{{claim}}", which is ReadWriteMany: concurrent writers over a network filesystem corrupt SQLite.',
      shared:
        'Container "{{container}}" keeps the SQLite database {{file}} ({{reason}}) on PVC "{{claim}}", which is written by {{writers}}: SQLite needs a single writer.',
      network:
        'Container "{{container}}" keeps the SQLite database {{file}} ({{reason}}) on network volume "{{volume}}": SQLite file locking is unreliable on network filesystems.',
      composeShared:
        'Service "{{container}}" keeps the SQLite database {{file}} ({{reason}}) on {{volume}}, which is also mounted writable by {{others}}: two writers corrupt SQLite.',
    },
    examples: {
      bad: 'env: [{ name: DB, value: sqlite:////data/app.db }]\nvolumes:\n  - name: data\n    persistentVolumeClaim: { claimName: shared-rwx }  # ReadWriteMany',
      good: 'env: [{ name: DB, value: sqlite:////data/app.db }]\nvolumes:\n  - name: data\n    persistentVolumeClaim: { claimName: app-data }  # ReadWriteOnce, 1 replica',
    },
    docs: 'docs/rules/sqlite-shared-volume.md',
    usesClusterView: true,
  },
  checkWorkload(ctx) {
    const w = ctx.workload;
    for (const { container, dataPaths } of ctx.containers) {
      for (const dp of dataPaths) {
        if (!dp.sqliteFile) continue;
        const m = coveringMount(container.mounts, dp.path);
        const v = m ? volumeOf(w, m) : undefined;
        if (!m || !v) continue;
        const base = { container: container.name, file: dp.sqliteFile, reason: dp.reason, volume: v.name };
        const report = (messageId: string, data: Record<string, string>): void =>
          ctx.report({
            messageId,
            data: { ...base, ...data },
            at: m.at,
            container: container.name,
            path: dp.sqliteFile,
          });
        if (v.kind === 'network') {
          report('network', {});
        } else if (v.kind === 'persistentVolumeClaim' && v.claimName) {
          const ns = namespaceOf(w);
          const claim = ctx.view.getClaim(ns, v.claimName);
          if (claim && hasMode(claim, 'ReadWriteMany')) {
            report('rwx', { claim: v.claimName });
            continue;
          }
          const writers: string[] = [];
          if (w.perNode) writers.push(`every pod of DaemonSet ${w.resource.name}`);
          else if ((ctx.replicas ?? 1) > 1) writers.push(`${ctx.replicas} replicas of ${describeWorkload(w)}`);
          for (const u of ctx.view.claimUsers(ns, v.claimName, w.resource))
            if (!u.readOnly) writers.push(`${u.resource.kind} ${u.resource.name}`);
          if (writers.length > 0) report('shared', { claim: v.claimName, writers: writers.join(', ') });
        } else if (w.source === 'compose' && (v.kind === 'composeNamed' || v.kind === 'composeBind')) {
          const others = composeSharers(ctx, v);
          if (others.length > 0)
            report('composeShared', {
              volume: v.kind === 'composeNamed' ? `named volume "${v.source}"` : `bind mount ${v.source}`,
              others: `${others.length > 1 ? 'services' : 'service'} ${others.join(', ')}`,
            });
        }
      }
    }
  },
};
